import Glibc
import Foundation

/// The syscall-level C baseline, `tools/whisper_bench.c`, compiled once per run and driven one
/// phase per invocation with `-q` (machine-readable `key=value` lines).
struct CWhisperBaseline {
    let binary: String

    /// Compiles `source` with `cc -O2 -Wall` into `directory/whisper_bench`.
    static func compile(source: String, into directory: String) throws -> CWhisperBaseline {
        guard FileManager.default.fileExists(atPath: source) else {
            throw BenchFailure("C baseline not found at \(source) (use --tools DIR)")
        }
        return CWhisperBaseline(binary: try CTool.compile(source: source, into: directory))
    }

    /// Zero-filled creates of `files` files under `directory` (the C tool's `create` phase).
    func create(directory: String, files: Int) throws -> CreateRate {
        let fields = try phase(["-D", directory, "-n", String(files), "-m", "create"], expecting: "create")
        guard let secs = Double(fields["secs"] ?? ""), let n = Int(fields["files"] ?? "") else {
            throw BenchFailure("whisper_bench create: unexpected output \(fields)")
        }
        return CreateRate(files: n, seconds: secs)
    }

    /// One update phase (`cache`, `cachewsp`, `open` or `openwsp`) over existing files.
    func update(mode: String, directory: String, files: Int, pointsPerUpdate k: Int, seconds: Double, cpu: Int?) throws -> UpdateRate {
        var arguments = ["-D", directory, "-n", String(files), "-k", String(k), "-t", String(seconds), "-m", mode]
        if let cpu { arguments += ["-c", String(cpu)] }
        let fields = try phase(arguments, expecting: mode)
        guard let updates = Int(fields["updates"] ?? ""), let secs = Double(fields["secs"] ?? "") else {
            throw BenchFailure("whisper_bench \(mode): unexpected output \(fields)")
        }
        return UpdateRate(updates: updates, seconds: secs, pointsPerUpdate: k)
    }

    private func phase(_ arguments: [String], expecting name: String) throws -> [String: String] {
        let result = try ChildProcess.run(binary, ["-q"] + arguments)
        guard result.status == 0 else {
            throw BenchFailure("\(binary) \(arguments.joined(separator: " ")) exited with \(result.status)")
        }
        for line in result.output.split(separator: "\n") where line.hasPrefix("phase=") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            if fields["phase"] == name { return fields }
        }
        throw BenchFailure("\(binary) printed no phase=\(name) line: \(result.output)")
    }
}

/// A benchmark that cannot go on; the message says why.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
