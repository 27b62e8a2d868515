import Glibc

// The clocks the server's threads run on: wall time for timestamps, monotonic time for rates
// and waits.

/// Seconds since an arbitrary point, never going back (rate limits, timeouts).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Seconds since the epoch, with sub-second precision ("now" for `-1` timestamps).
public func wallClockSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Sleeps, resuming after signals.
public func sleepSeconds(_ seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// The monotonic clock and the sleep that timing logic runs on: the real ones in the server,
/// a manual clock in tests, so rates and waits are tested without sleeping.
public struct Pacing: Sendable {
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) -> Void

    public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) -> Void) {
        self.now = now
        self.sleep = sleep
    }

    public static let real = Pacing(now: monotonicSeconds, sleep: sleepSeconds)
}
