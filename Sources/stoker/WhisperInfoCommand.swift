import ArgumentParser
import Whisper

/// `stoker whisper info FILE [FIELD] [--json]`, printing exactly what whisper-info prints.
struct WhisperInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a whisper file's header (like whisper-info)."
    )

    @Argument(help: "The whisper file.")
    var file: String

    @Argument(help: "Print only this field: aggregationMethod, maxRetention, xFilesFactor, archives or fileSize.")
    var field: String?

    @Flag(help: "Output the header as JSON.")
    var json = false

    func run() throws {
        var report: InfoReport?
        try reportingErrors {
            let whisper = try WhisperFile.open(path: file, writable: false)
            report = InfoReport(info: whisper.info, fileSize: try FileSystem.size(of: file))
        }
        guard let report else { return }
        if let field {
            guard let value = report.field(field) else {
                Console.out("Unknown field \"\(field)\". Valid fields are \(InfoReport.fieldNames.joined(separator: ","))\n")
                throw ExitCode.failure
            }
            Console.out(value + "\n")
        } else if json {
            Console.out(report.json() + "\n")
        } else {
            Console.out(report.text())
        }
    }
}

/// whisper.info() plus the file size, rendered the ways whisper-info renders it.
struct InfoReport {
    static let fieldNames = ["aggregationMethod", "maxRetention", "xFilesFactor", "archives", "fileSize"]
    static let archiveKeys = ["offset", "secondsPerPoint", "points", "retention", "size"]

    var info: WhisperInfo
    var fileSize: Int

    private var xff: String { PythonFormatting.repr(info.xFilesFactor) }

    private func archiveValues(_ archive: ArchiveInfo) -> [Int] {
        [archive.offset, archive.secondsPerPoint, archive.points, archive.retention, archive.size]
    }

    /// `print(info[field])`; nil for a name whisper.info does not have.
    func field(_ name: String) -> String? {
        switch name {
        case "aggregationMethod": return info.aggregationMethod.name
        case "maxRetention": return String(info.maxRetention)
        case "xFilesFactor": return xff
        case "fileSize": return String(fileSize)
        case "archives":
            let dicts = info.archives.map { archive in
                "{" + zip(Self.archiveKeys, archiveValues(archive)).map { "'\($0)': \($1)" }.joined(separator: ", ") + "}"
            }
            return "[" + dicts.joined(separator: ", ") + "]"
        default: return nil
        }
    }

    /// The plain listing: `key: value` lines, a blank line, then one block per archive.
    func text() -> String {
        var lines = [
            "aggregationMethod: \(info.aggregationMethod.name)",
            "maxRetention: \(info.maxRetention)",
            "xFilesFactor: \(xff)",
            "fileSize: \(fileSize)",
            "",
        ]
        for (index, archive) in info.archives.enumerated() {
            lines.append("Archive \(index)")
            for (key, value) in zip(Self.archiveKeys, archiveValues(archive)) {
                lines.append("\(key): \(value)")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `json.dumps(info, indent=2, separators=(',', ': '))`.
    func json() -> String {
        let archives = info.archives.map { archive in
            "    {\n"
                + zip(Self.archiveKeys, archiveValues(archive)).map { "      \"\($0)\": \($1)" }.joined(separator: ",\n")
                + "\n    }"
        }
        return [
            "{",
            "  \"aggregationMethod\": \"\(info.aggregationMethod.name)\",",
            "  \"maxRetention\": \(info.maxRetention),",
            "  \"xFilesFactor\": \(xff),",
            "  \"archives\": [",
            archives.joined(separator: ",\n"),
            "  ],",
            "  \"fileSize\": \(fileSize)",
            "}",
        ].joined(separator: "\n")
    }
}
