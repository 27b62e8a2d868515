/// Everything the whisper layer can refuse or fail at. Each case names the file (when there is
/// one) so an operator can find it: a corrupt file never turns into a crash or silent garbage.
public enum WhisperError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's bytes do not describe a whisper database (short header, unknown aggregation
    /// type, xFilesFactor out of range, archive table pointing past the end of the file, ...).
    case corrupt(path: String, reason: String)
    /// An archive list whisper would refuse (whisper's `InvalidConfiguration`).
    case invalidConfiguration(String)
    /// `create` on a path that already exists.
    case fileExists(path: String)
    /// fetch with from > until (whisper's `InvalidTimeInterval`).
    case invalidTimeInterval(from: Int, until: Int)
    /// An aggregation method name whisper does not know.
    case invalidAggregationMethod(String)
    /// fetch with an `archiveToSelect` step no archive has.
    case invalidGranularity(String)
    /// A system call failed; `errno` is kept so callers can tell ENOSPC from EACCES.
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .corrupt(path, reason): return "\(path): corrupt whisper file: \(reason)"
        case let .invalidConfiguration(message): return "invalid archive configuration: \(message)"
        case let .fileExists(path): return "File \(path) already exists!"
        case let .invalidTimeInterval(from, until):
            return "Invalid time interval: from time '\(from)' is after until time '\(until)'"
        case let .invalidAggregationMethod(name): return "Unrecognized aggregation method: \(name)"
        case let .invalidGranularity(step): return "Invalid granularity: \(step)"
        case let .io(path, operation, code): return "\(path): \(operation) failed: \(systemErrorText(code))"
        }
    }
}
