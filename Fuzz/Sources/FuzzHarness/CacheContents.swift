import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork

/// What a MetricCache holds, by metric, for comparing two runs over the same input.
public struct CacheContents: Equatable, CustomStringConvertible {
    public var points: [String: [CachedPoint]]

    /// Reads every metric of `cache`. Points stamped inside `now` are left out: a `-1`
    /// timestamp means "the time of arrival", which two runs see differently.
    public init(_ cache: MetricCache, ignoringTimestampsIn now: ClosedRange<Double>) {
        var points: [String: [CachedPoint]] = [:]
        for metric in cache.metricNames() {
            let kept = cache.points(of: metric).filter { !now.contains($0.timestamp) }
            if !kept.isEmpty { points[metric] = kept }
        }
        self.points = points
    }

    public var description: String {
        points.keys.sorted().map { "\($0): \(points[$0]!)" }.joined(separator: "\n")
    }
}

/// Two caches filled from the same input by two paths must hold the same points (those stamped
/// with the time of arrival left out), and each must agree with its own totals.
public func fuzzCheckSameContents(_ first: MetricCache, _ firstPath: String, _ second: MetricCache, _ secondPath: String,
                                  since clock: WallClockWindow) {
    let now = clock.sinceStart
    let a = CacheContents(first, ignoringTimestampsIn: now)
    let b = CacheContents(second, ignoringTimestampsIn: now)
    fuzzCheck(a == b, "\(firstPath):\n\(a)\n\(secondPath):\n\(b)")
    first.checkTotals()
    second.checkTotals()
}

extension MetricCache {
    /// The cache's running totals must agree with its queues, before and after every queue is
    /// popped (the writer's way out).
    public func checkTotals() {
        let counts = counts()
        fuzzCheck(size == counts.reduce(0) { $0 + $1.count }, "cache size \(size) but queues hold \(counts)")
        fuzzCheck(queues == counts.count, "cache queues \(queues) but \(counts.count) metrics have points")
        for (metric, count) in counts {
            let popped = pop(metric) ?? []
            fuzzCheck(popped.count == count, "\(metric): popped \(popped.count) of \(count) points")
            fuzzCheck(zip(popped, popped.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp },
                      "\(metric): popped points not in strictly increasing time order: \(popped)")
        }
        fuzzCheck(size == 0 && queues == 0, "cache not empty after popping every metric: size \(size), queues \(queues)")
    }
}
