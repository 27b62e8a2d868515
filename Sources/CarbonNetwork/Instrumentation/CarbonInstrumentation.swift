import CarbonCache
import CarbonConfig
import CarbonWriter
import Glibc
import ServerRuntime
import Synchronization

/// carbon's self-instrumentation (docs/carbon.md §10): every CARBON_METRIC_INTERVAL, per-interval counts and
/// gauges stored straight into the cache as `<prefix>.agents.<host>-<instance>.<stat>` (no
/// receive path, not counted in metricsReceived).
public final class CarbonInstrumentation: Sendable {
    struct Previous {
        var writer = WriterStatistics.Snapshot()
        var receivers = ReceiverStatistics.Snapshot()
        var overflow = 0
        var cpu = 0.0
        var wall = 0.0
        /// Per quota rule (section): refused points and creates so far.
        var quotas: [String: (points: Int, creates: Int)] = [:]
    }

    public let prefix: String
    let cache: MetricCache
    let writer: WriterStatistics
    let receivers: ReceiverStatistics
    let quotas: QuotaLedger
    private let previous: Mutex<Previous>

    public init(metricPrefix: String, instance: String, hostName: String = CarbonInstrumentation.hostName(),
                cache: MetricCache, writer: WriterStatistics, receivers: ReceiverStatistics, quotas: QuotaLedger = QuotaLedger()) {
        prefix = "\(metricPrefix).agents.\(hostName.replacingDots())-\(instance)"
        self.cache = cache
        self.writer = writer
        self.receivers = receivers
        self.quotas = quotas
        previous = Mutex(Previous(writer: writer.snapshot, receivers: receivers.snapshot, overflow: cache.overflowCount,
                                  cpu: ProcessUsage.cpuSeconds(), wall: monotonicSeconds()))
    }

    /// The stats of the interval that just ended, in carbon's order; also resets the interval.
    public func collect() -> [(name: String, value: Double)] {
        let w = writer.snapshot, r = receivers.snapshot, overflow = cache.overflowCount
        let cpu = ProcessUsage.cpuSeconds(), wall = monotonicSeconds()
        let quotaReports = quotas.report()
        let quotaTotals = Dictionary(quotaReports.map { ($0.rule.section, (points: $0.refusedPoints, creates: $0.refusedCreates)) },
                                     uniquingKeysWith: { a, _ in a })
        let before = previous.withLock { state -> Previous in
            let old = state
            state = Previous(writer: w, receivers: r, overflow: overflow, cpu: cpu, wall: wall, quotas: quotaTotals)
            return old
        }
        let updates = w.updateOperations - before.writer.updateOperations
        let committed = w.committedPoints - before.writer.committedPoints
        let bulk = r.bulkQueries - before.receivers.bulkQueries
        var stats: [(String, Double)] = [
            ("cache.size", Double(cache.size)),
            ("cache.queues", Double(cache.queues)),
        ]
        if updates > 0 {
            stats.append(("avgUpdateTime", (w.updateSeconds - before.writer.updateSeconds) / Double(updates)))
            stats.append(("pointsPerUpdate", Double(committed) / Double(updates)))
        }
        stats += [
            ("updateOperations", Double(updates)),
            ("committedPoints", Double(committed)),
            ("creates", Double(w.creates - before.writer.creates)),
            ("deferredCreates", Double(w.deferredCreates - before.writer.deferredCreates)),
            ("errors", Double(w.errors - before.writer.errors)),
            ("droppedPoints", Double(w.droppedPoints - before.writer.droppedPoints)),
            ("cache.queries", Double(r.cacheQueries - before.receivers.cacheQueries)),
            ("cache.bulk_queries", Double(bulk)),
        ]
        if bulk > 0 {
            stats.append(("cache.bulk_queries_average_size", Double(r.bulkQueryMetrics - before.receivers.bulkQueryMetrics) / Double(bulk)))
        }
        stats += [
            ("cache.overflow", Double(overflow - before.overflow)),
            ("activeConnections", Double(r.activeConnections)),
            ("metricsReceived", Double(r.metricsReceived - before.receivers.metricsReceived)),
            ("blacklistMatches", Double(r.blacklistMatches - before.receivers.blacklistMatches)),
            ("whitelistRejects", Double(r.whitelistRejects - before.receivers.whitelistRejects)),
            ("invalidLines", Double(r.invalidLines - before.receivers.invalidLines)),
            ("invalidPickles", Double(r.invalidPickles - before.receivers.invalidPickles)),
            ("namesCollapsed", Double(r.namesCollapsed - before.receivers.namesCollapsed)),
            ("cpuUsage", wall > before.wall ? (cpu - before.cpu) / (wall - before.wall) * 100 : 0),
            ("memUsage", Double(ProcessUsage.residentBytes())),
        ]
        // quotas.conf (docs/quotas.md): per rule, refusals of the interval and series counted.
        for report in quotaReports {
            let earlier = before.quotas[report.rule.section] ?? (0, 0)
            let name = "quota.\(report.rule.statName)"
            stats += [
                ("\(name).refusedPoints", Double(max(0, report.refusedPoints - earlier.points))),
                ("\(name).refusedCreates", Double(max(0, report.refusedCreates - earlier.creates))),
                ("\(name).series", Double(report.series)),
            ]
        }
        return stats.map { ("\(prefix).\($0.0)", $0.1) }
    }

    /// Collects and stores the interval's stats with the current time.
    public func record(now: Double = wallClockSeconds()) {
        for (name, value) in collect() {
            cache.store(name, CachedPoint(timestamp: now.rounded(.down), value: value))
        }
    }

    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
