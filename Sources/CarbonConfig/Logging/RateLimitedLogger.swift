import Logging
import ServerRuntime
import Synchronization

/// Logs at most `burst` messages per `interval` seconds for each kind of event, then one
/// summary of how many were suppressed: bad input must be visible without flooding the log.
public final class RateLimitedLogger: Sendable {
    struct Window {
        var start: Double
        var logged: Int
        var suppressed: Int
    }

    public let logger: Logger
    private let burst: Int
    private let interval: Double
    private let windows = Mutex<[String: Window]>([:])

    public init(logger: Logger, burst: Int = 10, interval: Double = 60) {
        self.logger = logger
        self.burst = burst
        self.interval = interval
    }

    /// Logs `message` under `kind` unless that kind already used its burst in this interval.
    public func log(_ level: Logger.Level, kind: String, _ message: @autoclosure () -> String) {
        let now = monotonicSeconds()
        let (allowed, suppressedBefore): (Bool, Int) = windows.withLock { windows in
            var window = windows[kind] ?? Window(start: now, logged: 0, suppressed: 0)
            var suppressed = 0
            if now - window.start >= interval {
                suppressed = window.suppressed
                window = Window(start: now, logged: 0, suppressed: 0)
            }
            let allowed = window.logged < burst
            if allowed { window.logged += 1 } else { window.suppressed += 1 }
            windows[kind] = window
            return (allowed, suppressed)
        }
        if suppressedBefore > 0 {
            logger.log(level: level, "event=suppressed kind=\(kind) count=\(suppressedBefore) seconds=\(Int(interval))")
        }
        if allowed { logger.log(level: level, "\(message())") }
    }
}

extension RateLimitedLogger {
    /// The log line of a quotas.conf refusal (docs/quotas.md), limited like every bad input.
    public func quotaRefused(rule: String, namespace: String, limit: String, metric: String) {
        log(.warning, kind: "quota_refused",
            "event=quota_refused rule=\(quoted(rule)) namespace=\(quoted(namespace)) limit=\(limit) metric=\(quoted(metric))")
    }
}
