import CarbonConfig

/// Why a read request is refused: each becomes a 4xx with this text (docs/reads.md §5).
public enum QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingParameter(String)
    case invalidParameter(name: String, value: String, reason: String)
    case tooManyVariants(limit: Int)
    case tooManySeries(limit: Int)
    case tooManyComponents(limit: Int)
    case timedOut(seconds: Double)
    case methodNotAllowed

    /// A path glob refused before matching (CarbonConfig's globs know nothing of requests).
    init(_ error: GlobError) {
        switch error {
        case let .tooManyVariants(limit): self = .tooManyVariants(limit: limit)
        case let .tooManyComponents(limit): self = .tooManyComponents(limit: limit)
        }
    }

    /// A refusal with only a reason (graphite-web's own messages).
    static func invalid(_ reason: String) -> QueryError {
        .invalidParameter(name: "", value: "", reason: reason)
    }

    public var description: String {
        switch self {
        case let .missingParameter(name): "missing required parameter '\(name)'"
        case let .invalidParameter(name, value, reason): "invalid value \(String(reflecting: value)) for parameter '\(name)': \(reason)"
        case let .tooManyVariants(limit): "a path component expands to more than \(limit) brace variants"
        case let .tooManySeries(limit): "the query matches more than \(limit) series (the [api] max_series_per_request limit)"
        case let .tooManyComponents(limit): "the query has more than \(limit) path components"
        case let .timedOut(seconds): "the request took longer than \(seconds) s (the [api] max_request_seconds limit)"
        case .methodNotAllowed: "this path is written to with POST"
        }
    }

    /// The HTTP status graphite clients see.
    public var status: Int {
        switch self {
        case .timedOut: 503
        case .tooManySeries: 422
        case .methodNotAllowed: 405
        default: 400
        }
    }
}
