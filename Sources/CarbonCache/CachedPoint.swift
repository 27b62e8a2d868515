import CarbonConfig

/// One datapoint waiting in the cache: 16 bytes. Timestamps stay Doubles because carbon keeps
/// them as floats when MIN_TIMESTAMP_RESOLUTION is 0 (whole seconds otherwise).
public struct CachedPoint: Hashable, Sendable {
    public var timestamp: Double
    public var value: Double

    public init(timestamp: Double, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}
