/// Why a `retentions` value is malformed. The messages follow carbon's `parseRetentionDef`.
public enum RetentionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A comma-separated item that is not exactly one `precision:duration` pair.
    case invalidDefinition(String)
    /// A precision that is neither digits nor `<digits><unit>`.
    case invalidPrecision(String)
    /// A duration that is neither digits nor `<digits><unit>`.
    case invalidDuration(String)
    /// A unit other than the single lower-case letters s m h d w y (`min`, `sec`).
    case invalidUnit(String)
    /// `0:<span>`: a span cannot be divided into zero-second points (Python divides by zero).
    case zeroPrecision(String)
    /// A number that does not fit a 64-bit integer.
    case numberTooLarge(String)

    public var description: String {
        switch self {
        case let .invalidDefinition(text): return "Invalid retention definition '\(text)'"
        case let .invalidPrecision(text): return "Invalid precision specification '\(text)'"
        case let .invalidDuration(text): return "Invalid retention specification '\(text)'"
        case let .invalidUnit(text): return "Invalid unit '\(text)'"
        case let .zeroPrecision(text): return "Zero precision cannot hold a time span in '\(text)'"
        case let .numberTooLarge(text): return "Number too large in '\(text)'"
        }
    }
}
