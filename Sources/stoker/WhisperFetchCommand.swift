import ArgumentParser
import Whisper

/// `stoker whisper fetch FILE [--from T] [--until T] [--archive STEP] [--json]`, printing
/// exactly what whisper-fetch prints.
struct WhisperFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Print the points of a time range (like whisper-fetch)."
    )

    @Argument(help: "The whisper file.")
    var file: String

    @Option(name: .customLong("from"), parsing: .unconditional,
            help: ArgumentHelp("Start of the range, unix seconds (default: 24 hours ago).", valueName: "time"))
    var from: Int?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("End of the range, unix seconds (default: now).", valueName: "time"))
    var until: Int?

    @Option(help: ArgumentHelp("Read the archive with this step (seconds, or whisper units such as 5m).",
                               valueName: "step"))
    var archive: String?

    @Flag(help: "Output the series as JSON.")
    var json = false

    func run() throws {
        let now = unixNow()
        var fetched: WhisperSeries?
        try reportingErrors {
            let step = try archive.map(RetentionDefinition.parsePrecision)
            let whisper = try WhisperFile.open(path: file, writable: false)
            fetched = try whisper.fetch(from: from ?? now - 86400, until: until ?? now, now: now, archiveStep: step)
        }
        guard let series = fetched else {
            Console.err("No data in selected timerange\n")
            throw ExitCode.failure
        }
        if json {
            Console.out(Self.json(series) + "\n")
        } else {
            Console.outLines(series.points.map { point in
                "\(point.timestamp)\t" + (point.value.map(PythonFormatting.fixed6) ?? "None")
            })
        }
    }

    /// whisper-fetch's hand-written JSON layout, indentation included.
    static func json(_ series: WhisperSeries) -> String {
        let values = PythonFormatting.listRepr(series.values).replacingNone(with: "null")
        return """
            {
                "start" : \(series.fromInterval),
                "end" : \(series.untilInterval),
                "step" : \(series.step),
                "values" : \(values)
              }
            """
    }
}

private extension String {
    func replacingNone(with replacement: String) -> String {
        split(separator: "None", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
