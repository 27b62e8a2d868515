/// Framing failures. Carbon closes the connection on `tooLong` (without reading the body).
public enum PickleFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame header declares more than the configured maximum.
    case tooLong(declared: UInt32, maximum: Int)
    /// A payload too large for a 4-byte length (encoding side).
    case payloadTooLarge(Int)

    public var description: String {
        switch self {
        case .tooLong(let declared, let maximum): return "frame of \(declared) bytes exceeds the maximum of \(maximum)"
        case .payloadTooLarge(let count): return "payload of \(count) bytes does not fit a 4-byte length"
        }
    }
}
