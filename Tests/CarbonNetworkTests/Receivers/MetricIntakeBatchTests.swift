import Logging
import XCTest
@testable import CarbonCache
@testable import CarbonConfig
@testable import CarbonNetwork

/// Many named points at once (statsd's flush): plain names by their bytes in batches, others
/// alone in between, in order; the same cache content as one `accept(name:)` per point.
final class MetricIntakeBatchTests: XCTestCase {
    private let points: [(String, Double, Double)] = [
        ("stats.a", 1, 100), ("stats.b", 2, 100), ("tagged;host=x", 3, 100), ("stats.a", 4, 100),
        ("a..collapsed", 5, 100), ("stats.nan", .nan, 100), ("stats.c", 6, 100), ("stats.b", 7, 101),
    ]

    private func cached(_ cache: MetricCache) -> [String: [CachedPoint]] {
        Dictionary(uniqueKeysWithValues: cache.metricNames().map { ($0, cache.points(of: $0)) })
    }

    func testBatchesEqualOnePointAtATime() {
        let one = MetricCache(shardCount: 4), many = MetricCache(shardCount: 4)
        let single = MetricIntake(cache: one, timestampResolution: 1, filters: nil, logger: Logger(label: "test"))
        for (name, value, timestamp) in points { single.accept(name: name, value: value, timestamp: timestamp) }
        let batched = MetricIntake(cache: many, timestampResolution: 1, filters: nil, logger: Logger(label: "test"))
        batched.accept(points, chunk: 2) { $0 }
        XCTAssertEqual(cached(many), cached(one))
        XCTAssertEqual(cached(many)["stats.a"], [CachedPoint(timestamp: 100, value: 4)], "the later value of a timestamp wins")
        XCTAssertEqual(cached(many)["a.collapsed"], [CachedPoint(timestamp: 100, value: 5)])
        XCTAssertEqual(batched.statistics.snapshot.metricsReceived, single.statistics.snapshot.metricsReceived)
        XCTAssertEqual(batched.statistics.snapshot.nanValues, 1)
    }

    func testAFilterSeesEveryName() {
        let cache = MetricCache(shardCount: 4)
        let filters = MetricFilters(whitelist: [try! MetricPattern("^stats\\.")], blacklist: [])
        let intake = MetricIntake(cache: cache, timestampResolution: 1, filters: filters, logger: Logger(label: "test"))
        intake.accept(points) { $0 }
        XCTAssertEqual(Set(cache.metricNames()), ["stats.a", "stats.b", "stats.c"])
        XCTAssertEqual(intake.statistics.snapshot.whitelistRejects, 2)
    }
}
