import Whisper

/// How a new whisper file aggregates: the two header fields storage-aggregation.conf decides.
public struct AggregationPolicy: Sendable, Equatable, CustomStringConvertible {
    public var xFilesFactor: Double
    public var method: AggregationMethod

    public init(xFilesFactor: Double, method: AggregationMethod) {
        self.xFilesFactor = xFilesFactor
        self.method = method
    }

    /// whisper's `create` defaults, used for whatever the matching rule leaves out.
    public static let whisperDefault = AggregationPolicy(xFilesFactor: 0.5, method: .average)

    public var description: String { "xFilesFactor=\(xFilesFactor) aggregationMethod=\(method)" }
}
