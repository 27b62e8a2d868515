/// When statsd flushes: every `interval` seconds from the start (statsd's `setInterval`), and
/// after a flush that overran or a process that was suspended, one interval from now rather
/// than a burst of flushes to catch up. Times come in as arguments, so the schedule is tested
/// without a clock; the flush thread feeds it the wall clock.
public struct FlushSchedule: Sendable, Equatable {
    public let interval: Double
    /// When the next flush is due.
    public private(set) var next: Double

    public init(interval: Double, start: Double) {
        self.interval = interval
        next = start + interval
    }

    /// Seconds to wait at `now` before the next flush (0: due).
    public func wait(at now: Double) -> Double {
        max(0, next - now)
    }

    /// Moves on after a flush that ended at `now`.
    public mutating func flushed(at now: Double) {
        next += interval
        if next < now { next = now + interval }
    }
}
