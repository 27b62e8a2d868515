import ArgumentParser
import Whisper

/// `stoker whisper update FILE TS:VALUE...` (like whisper-update): `N` as the timestamp means
/// now; all points are stored with one update_many.
struct WhisperUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Store points in a whisper file (like whisper-update)."
    )

    @Argument(help: "The whisper file.")
    var file: String

    @Argument(help: ArgumentHelp("Points as timestamp:value; N:value means now.", valueName: "timestamp:value"))
    var points: [String]

    func validate() throws {
        if points.isEmpty { throw ValidationError("At least one timestamp:value point is required.") }
    }

    func run() throws {
        let now = unixNow()
        try reportingErrors {
            let parsed = try points.map { try Self.parsePoint($0, now: now) }
            let whisper = try WhisperFile.open(path: file, writable: true)
            // whisper-update stores a single point with whisper.update(), which refuses a
            // timestamp in the future or at/after the end of the retention.
            if parsed.count == 1 {
                let age = now - parsed[0].timestamp
                guard age >= 0, age < whisper.header.maxRetention else {
                    throw CommandFailure("Timestamp not covered by any archives in this database.")
                }
            }
            try whisper.updateMany(parsed, now: now)
        }
    }

    /// `TIMESTAMP:VALUE`, TIMESTAMP an integer or `N`, VALUE a float (`nan`, `inf` allowed).
    static func parsePoint(_ text: String, now: Int) throws -> WhisperPoint {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw CommandFailure("Invalid point '\(text)': expected timestamp:value")
        }
        let stamp = String(parts[0]).trimmingWhitespace()
        let timestamp = stamp == "N" ? now : Int(stamp)
        guard let timestamp else {
            throw CommandFailure("Invalid timestamp '\(parts[0])' in point '\(text)'")
        }
        guard let value = Double(String(parts[1]).trimmingWhitespace()) else {
            throw CommandFailure("Invalid value '\(parts[1])' in point '\(text)'")
        }
        return WhisperPoint(timestamp: timestamp, value: value)
    }
}
