/// Why a graphite glob was refused before any matching: the limits that keep a hostile query
/// or section name from expanding without bound.
public enum GlobError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooManyVariants(limit: Int)
    case tooManyComponents(limit: Int)

    public var description: String {
        switch self {
        case let .tooManyVariants(limit): "a path component expands to more than \(limit) brace variants"
        case let .tooManyComponents(limit): "the pattern has more than \(limit) path components"
        }
    }
}
