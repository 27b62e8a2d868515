import CarbonConfig
import CarbonCache
import Foundation

import Glibc
import ServerRuntime

/// Progress lines while new metrics wait for MAX_CREATES_PER_MINUTE tokens (Stoker keeps
/// their points in the cache where carbon drops them, so an operator needs to see the queue
/// and when it will be gone). Same style as the shutdown drain's lines:
///
///     event=create_backlog_start pending_creates=1200 max_creates_per_minute=50 eta_seconds=1440
///     event=create_backlog_progress pending_creates=1196 created=4 rate_per_second=0.8 eta_seconds=1495 seconds=5
///     event=create_backlog_cleared created=1200 seconds=1441
///
/// Pure: the caller passes the clock reading, the writer's counters and a way to count the
/// pending creates, and logs what comes back.
struct CreateBacklogProgress {
    /// Seconds between two looks at the backlog, so between two progress lines.
    let interval: Double
    /// Pending creates from which a backlog is reported: what takes `minimumSeconds` to
    /// create at the limit. A smaller backlog clears before a second line would be logged.
    let threshold: Int
    let maxCreatesPerMinute: Double

    private var nextLook = -Double.infinity
    private var lastDeferredCreates = 0
    private var backlog: Backlog?

    private struct Backlog {
        var began: Double
        var createsAtStart: Int
        var lastLine: Double
        var createsAtLastLine: Int
    }

    init(maxCreatesPerMinute: Double, interval: Double = 5, minimumSeconds: Double = 10) {
        self.maxCreatesPerMinute = maxCreatesPerMinute
        self.interval = interval
        threshold = max(1, Int((maxCreatesPerMinute / 60 * minimumSeconds).rounded(.up)))
    }

    var isReporting: Bool { backlog != nil }

    /// Called often (every half second, say); counts the backlog at most once per `interval`.
    /// `deferredCreates` and `creates` are the writer's running totals; `countPending` is only
    /// called when a metric had to wait since the last tick or a backlog is being reported,
    /// because counting costs a file-system check per cached metric.
    mutating func tick(at now: Double, deferredCreates: Int, creates: Int, countPending: () -> Int) -> String? {
        guard now >= nextLook else { return nil }
        let someoneWaited = deferredCreates != lastDeferredCreates
        lastDeferredCreates = deferredCreates
        // Nothing to count: look again at the next tick, so a backlog is seen as it forms.
        if backlog == nil && !someoneWaited { return nil }
        nextLook = now + interval
        guard var backlog else {
            let pending = countPending()
            guard pending >= threshold else { return nil }
            self.backlog = Backlog(began: now, createsAtStart: creates, lastLine: now, createsAtLastLine: creates)
            return "event=create_backlog_start pending_creates=\(pending) max_creates_per_minute=\(Self.number(maxCreatesPerMinute))"
                + " eta_seconds=\(Self.eta(pending, perSecond: maxCreatesPerMinute / 60))"
        }
        let pending = countPending()
        if pending == 0 {
            self.backlog = nil
            return "event=create_backlog_cleared created=\(creates - backlog.createsAtStart) seconds=\(Int(now - backlog.began))"
        }
        let created = creates - backlog.createsAtLastLine
        let rate = now > backlog.lastLine ? Double(created) / (now - backlog.lastLine) : 0
        backlog.lastLine = now
        backlog.createsAtLastLine = creates
        self.backlog = backlog
        return "event=create_backlog_progress pending_creates=\(pending) created=\(created)"
            + " rate_per_second=\(String(format: "%.1f", rate)) eta_seconds=\(Self.eta(pending, perSecond: rate))"
            + " seconds=\(Int(now - backlog.began))"
    }

    /// Whole seconds, rounded up; `unknown` while nothing is being created (a failing disk).
    static func eta(_ pending: Int, perSecond rate: Double) -> String {
        guard rate > 0 else { return "unknown" }
        return "\(Int((Double(pending) / rate).rounded(.up)))"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }
}

extension CacheWriter {
    /// With MAX_CREATES_PER_MINUTE set, a thread that logs `CreateBacklogProgress`'s lines
    /// until the writer stops (the shutdown drain lifts the limit and logs its own progress).
    func startCreateBacklogProgress() {
        guard let limit = settings.maxCreatesPerMinute else { return }
        WorkerThread.start(name: "stoker-backlog") { [self] in
            var progress = CreateBacklogProgress(maxCreatesPerMinute: limit)
            while !stopping.load(ordering: .relaxed) {
                if let line = progress.tick(at: pacing.now(),
                                            deferredCreates: statistics.deferredCreates.load(ordering: .relaxed),
                                            creates: statistics.creates.load(ordering: .relaxed),
                                            countPending: pendingCreates) {
                    log.logger.info("\(line)")
                }
                pacing.sleep(0.5)
            }
        }
    }

    /// Cached metrics with no file yet: those waiting for a create token (plus any a writer is
    /// creating this instant). Names that cannot be paths are dropped by the writers, not
    /// created, so they do not count. One `access` per cached metric (a few microseconds each),
    /// which is why `CreateBacklogProgress` asks at most every 5 s, and only during a backlog.
    func pendingCreates() -> Int {
        let layout = self.layout.withLock { $0 }
        var pending = 0
        for metric in cache.metricNames() {
            guard let path = try? layout.path(metric) else { continue }
            if access(path, F_OK) != 0 && errno == ENOENT { pending += 1 }
        }
        return pending
    }
}
