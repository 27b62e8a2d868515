import Whisper

/// One section of storage-aggregation.conf. A missing key stays nil and falls back to
/// whisper's default, not to a later section: the first matching rule decides alone.
public struct AggregationRule: Sendable, Equatable {
    /// The section name.
    public let name: String
    public let pattern: MetricPattern
    public let xFilesFactor: Double?
    public let method: AggregationMethod?

    public init(name: String, pattern: MetricPattern, xFilesFactor: Double?, method: AggregationMethod?) {
        self.name = name
        self.pattern = pattern
        self.xFilesFactor = xFilesFactor
        self.method = method
    }

    /// The rule's choices with whisper's defaults filled in.
    public var policy: AggregationPolicy {
        AggregationPolicy(xFilesFactor: xFilesFactor ?? AggregationPolicy.whisperDefault.xFilesFactor,
                          method: method ?? AggregationPolicy.whisperDefault.method)
    }
}
