import CarbonCache
import CarbonConfig
import CarbonWriter
import Synchronization

/// Counters of every receiver since start; self-instrumentation reports per-interval deltas.
public final class ReceiverStatistics: Sendable {
    let metricsReceived = Atomic<Int>(0)
    let blacklistMatches = Atomic<Int>(0)
    let whitelistRejects = Atomic<Int>(0)
    /// NaN values: carbon drops them without counting; Stoker counts them here.
    let nanValues = Atomic<Int>(0)
    let invalidLines = Atomic<Int>(0)
    let invalidPickles = Atomic<Int>(0)
    /// Plain names stored under their collapsed spelling (`a..b` as `a.b`): Stoker's own.
    let namesCollapsed = Atomic<Int>(0)
    let activeConnections = Atomic<Int>(0)
    let refusedConnections = Atomic<Int>(0)
    let cacheQueries = Atomic<Int>(0)
    let bulkQueries = Atomic<Int>(0)
    let bulkQueryMetrics = Atomic<Int>(0)

    public init() {}

    public struct Snapshot: Sendable, Equatable {
        public var metricsReceived = 0
        public var blacklistMatches = 0
        public var whitelistRejects = 0
        public var nanValues = 0
        public var invalidLines = 0
        public var invalidPickles = 0
        public var namesCollapsed = 0
        public var activeConnections = 0
        public var refusedConnections = 0
        public var cacheQueries = 0
        public var bulkQueries = 0
        public var bulkQueryMetrics = 0
    }

    public var snapshot: Snapshot {
        Snapshot(metricsReceived: metricsReceived.load(ordering: .relaxed),
                 blacklistMatches: blacklistMatches.load(ordering: .relaxed),
                 whitelistRejects: whitelistRejects.load(ordering: .relaxed),
                 nanValues: nanValues.load(ordering: .relaxed),
                 invalidLines: invalidLines.load(ordering: .relaxed),
                 invalidPickles: invalidPickles.load(ordering: .relaxed),
                 namesCollapsed: namesCollapsed.load(ordering: .relaxed),
                 activeConnections: activeConnections.load(ordering: .relaxed),
                 refusedConnections: refusedConnections.load(ordering: .relaxed),
                 cacheQueries: cacheQueries.load(ordering: .relaxed),
                 bulkQueries: bulkQueries.load(ordering: .relaxed),
                 bulkQueryMetrics: bulkQueryMetrics.load(ordering: .relaxed))
    }
}
