/// The `[api]` limits (docs/reads.md §5): what one request may cost.
public struct APILimits: Sendable, Equatable {
    /// Requests computed at once; more wait in line up to this many again, then get 503.
    public var maxConcurrentRequests = 16
    /// Leaves one find or render may match (graphite-web's METRICS_FIND_FAILURE_THRESHOLD).
    public var maxSeriesPerRequest = 100_000
    /// Seconds a request may compute before it is refused with 503.
    public var maxRequestSeconds = 30.0
    /// Bytes of a request's head and body together.
    public var maxRequestBytes = 1 << 20
    /// Brace variants one path component may expand to.
    public var maxBraceVariants = 1024

    public init() {}
}
