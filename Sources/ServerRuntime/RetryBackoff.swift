/// How long to wait before the next attempt after a failure: doubling from `initial` up to
/// `maximum`, back to nothing after a success. Pure, so the waits are tested without sleeping.
public struct RetryBackoff: Sendable, Equatable {
    public let initial: Double
    public let maximum: Double
    /// The wait before the next attempt (0 after a success).
    public private(set) var current: Double = 0

    public init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Records a failure; returns how long to wait before trying again.
    public mutating func failed() -> Double {
        current = min(max(current * 2, initial), maximum)
        return current
    }

    public mutating func succeeded() { current = 0 }
}
