import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

final class MetricTableTests: XCTestCase {
    private func point(_ t: Double, _ v: Double = 1) -> CachedPoint { .init(timestamp: t, value: v) }

    func testAWrittenMetricKeepsItsEntryButIsInvisibleUntilItsNextPoint() {
        let cache = MetricCache(shardCount: 1)
        cache.store("a", point(1))
        cache.store("b", point(1))
        XCTAssertEqual(cache.pop("a"), [point(1)])
        XCTAssertEqual(cache.queues, 1)
        XCTAssertEqual(cache.counts().map(\.metric), ["b"])
        XCTAssertEqual(cache.metricNames(), ["b"])
        XCTAssertEqual(cache.points(of: "a"), [])
        XCTAssertNil(cache.pop("a"))
        XCTAssertEqual(cache.summaries(ofShards: [0], includeOldest: false).map(\.metric), ["b"])
        XCTAssertEqual(cache.shards[0].table.withLock { $0.count }, 2)

        // Back in the cache: counted again, and newer in the drain order than "b".
        XCTAssertEqual(cache.store("a", point(2)), .added)
        XCTAssertEqual(cache.queues, 2)
        let sequences = Dictionary(uniqueKeysWithValues: cache.summaries(ofShards: [0], includeOldest: false).map { ($0.metric, $0.sequence) })
        XCTAssertGreaterThan(sequences["a"]!, sequences["b"]!)
        XCTAssertEqual(cache.pop("a"), [point(2)])
    }

    func testSweepForgetsOnlyMetricsIdleForAWholePeriod() {
        let cache = MetricCache(shardCount: 1)
        for name in ["idle", "busy", "queued"] { cache.store(name, point(1)) }
        _ = cache.pop("idle")
        _ = cache.pop("busy")
        // Every entry was stored to during this period: nothing goes yet.
        XCTAssertEqual(cache.sweepIdleMetrics(ofShards: [0]), 0)
        cache.store("busy", point(2))
        _ = cache.pop("busy")
        XCTAssertEqual(cache.sweepIdleMetrics(ofShards: [0]), 1)
        XCTAssertEqual(cache.shards[0].table.withLock { $0.count }, 2)
        // The survivors are still found by name after the table was rebuilt.
        XCTAssertEqual(cache.store("busy", point(3)), .added)
        XCTAssertEqual(cache.points(of: "queued"), [point(1)])
        XCTAssertEqual(cache.store("idle", point(4)), .added)
        XCTAssertEqual(Set(cache.metricNames()), ["busy", "queued", "idle"])
        XCTAssertEqual(cache.size, 3)
    }

    func testManyNamesSurviveGrowthAndCollideCorrectly() {
        let cache = MetricCache(shardCount: 4)
        let names = (0..<5000).map { "metric.\($0).with.a.name.longer.than.sixteen.bytes" } + (0..<5000).map { "k\($0)" } + [""]
        for (i, name) in names.enumerated() { XCTAssertEqual(cache.store(name, point(Double(i))), .added) }
        XCTAssertEqual(cache.queues, names.count)
        for (i, name) in names.enumerated() { XCTAssertEqual(cache.points(of: name), [point(Double(i))], name) }
        XCTAssertEqual(Set(cache.metricNames()), Set(names))
        for name in names { XCTAssertNotNil(cache.pop(name)) }
        XCTAssertEqual(cache.size, 0)
        XCTAssertEqual(cache.queues, 0)
    }

    func testShardOfANameIsTheSameForStringsAndBytes() {
        let cache = MetricCache(shardCount: 64)
        var batch = CacheBatch()
        let names = (0..<200).map { "servers.host\($0).cpu" }
        // One buffer holding every name, as a socket read would.
        let text = Array(names.joined().utf8)
        let read = UnsafeMutableRawBufferPointer.allocate(byteCount: text.count, alignment: 1)
        defer { read.deallocate() }
        read.copyBytes(from: text)
        var offset = 0
        for (i, name) in names.enumerated() {
            batch.append(name: read.baseAddress! + offset, count: name.utf8.count, point: point(Double(i)))
            offset += name.utf8.count
        }
        XCTAssertEqual(cache.store(&batch).added, names.count)
        for (i, name) in names.enumerated() {
            let shard = cache.shardIndex(of: name)
            XCTAssertEqual(cache.summaries(ofShards: [shard], includeOldest: false).filter { $0.metric == name }.count, 1)
            XCTAssertEqual(cache.points(of: name), [point(Double(i))])
        }
    }
}
