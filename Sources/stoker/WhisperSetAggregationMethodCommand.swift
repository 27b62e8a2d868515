import ArgumentParser
import Whisper

/// `stoker whisper set-aggregation-method FILE METHOD [XFF]`
/// (like whisper-set-aggregation-method).
struct WhisperSetAggregationMethodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-aggregation-method",
        abstract: "Change a whisper file's aggregation method and optionally its xFilesFactor."
    )

    @Argument(help: "The whisper file.")
    var file: String

    @Argument(help: "average, sum, last, max, min, avg_zero, absmax or absmin.")
    var method: String

    @Argument(help: "New xFilesFactor, 0 to 1 (default: keep).")
    var xff: String?

    func run() throws {
        try reportingErrors {
            guard let newMethod = AggregationMethod(name: method) else {
                throw WhisperError.invalidAggregationMethod(method)
            }
            let factor = try xff.map(Self.parseXFilesFactor)
            let whisper = try WhisperFile.open(path: file, writable: true)
            let old = try whisper.setAggregationMethod(newMethod, xFilesFactor: factor)
            Console.out("Updated aggregation method: \(file) (\(old.name) -> \(newMethod.name))\n")
        }
    }

    /// whisper's checks: a float within [0, 1]. (The Whisper module writes whatever it is given,
    /// and a value outside [0, 1] would make the file unreadable.)
    static func parseXFilesFactor(_ text: String) throws -> Double {
        guard let value = Double(text.trimmingWhitespace()) else {
            throw CommandFailure("Invalid xFilesFactor \(text), not a float")
        }
        guard value >= 0, value <= 1 else {
            throw CommandFailure("Invalid xFilesFactor \(text), not between 0 and 1")
        }
        return value
    }
}
