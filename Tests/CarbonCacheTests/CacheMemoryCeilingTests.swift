import XCTest
@testable import CarbonCache
@testable import CarbonConfig

/// MAX_CACHE_MEMORY (docs/carbon.md §16): the cache's estimated bytes make it full as points do.
final class CacheMemoryCeilingTests: XCTestCase {
    func testBytesAreCountedPerMetricPerNameBytePerPointAndReturnedBySweeps() {
        let cache = MetricCache(shardCount: 1)
        XCTAssertEqual(cache.memoryBytes, 0)
        cache.store("abc", .init(timestamp: 1, value: 1))
        cache.store("abc", .init(timestamp: 2, value: 1))
        cache.store("de", .init(timestamp: 1, value: 1))
        XCTAssertEqual(cache.memoryBytes, 2 * (MetricCache.bytesPerEntry + MetricCache.bytesPerQueue) + 5 + 3 * MetricCache.bytesPerPoint)
        _ = cache.pop("abc")
        _ = cache.pop("de")
        XCTAssertEqual(cache.memoryBytes, 2 * MetricCache.bytesPerEntry + 5, "emptied queues cost nothing; entries stay until a sweep")
        XCTAssertEqual(cache.sweepIdleMetrics(ofShards: [0]), 0)
        XCTAssertEqual(cache.sweepIdleMetrics(ofShards: [0]), 2)
        XCTAssertEqual(cache.memoryBytes, 0)
        cache.restore("back", [.init(timestamp: 1, value: 1)])
        XCTAssertEqual(cache.memoryBytes, MetricCache.bytesPerEntry + MetricCache.bytesPerQueue + 4 + MetricCache.bytesPerPoint)
    }

    func testAFloodOfNewNamesStopsAtTheCeilingDatagramsDropAndTCPPausesUntilBelowNinetyFivePercent() {
        let ceiling = 100 * (MetricCache.bytesPerEntry + MetricCache.bytesPerQueue + 16 + MetricCache.bytesPerPoint)
        let cache = MetricCache(limits: .init(maxBytes: ceiling, flowControl: true), shardCount: 4)
        XCTAssertTrue(cache.limits.isBounded)
        var dropped = 0
        // UDP: dropped (and counted) once the room a new long name would need is gone.
        for i in 0..<1000 where cache.store("flood.name.\(100_000 + i)", .init(timestamp: 1, value: 1), overflow: .drop) == .dropped {
            dropped += 1
        }
        let worstPoint = MetricCache.bytesPerEntry + MetricCache.bytesPerQueue + MetricCache.bytesPerPoint + 64
        XCTAssertLessThanOrEqual(cache.memoryBytes, ceiling)
        XCTAssertGreaterThan(cache.memoryBytes, ceiling - 2 * worstPoint)
        XCTAssertEqual(cache.overflowCount, dropped)
        XCTAssertEqual(dropped, 1000 - cache.queues)
        // TCP (flow control): what was read is stored; at the ceiling the channel pauses.
        var read = 0
        while !cache.isFull {
            XCTAssertEqual(cache.store("tcp.read.\(read)", .init(timestamp: 1, value: 1)), .added)
            read += 1
        }
        XCTAssertLessThanOrEqual(read, 3)
        // A batch of names as one socket read from a sender that cannot be paused: dropped.
        var batch = CacheBatch()
        let names = (0..<200).map { Array("batch.metric.\($0)".utf8) }
        for name in names { name.withUnsafeBytes { batch.append(name: $0.baseAddress!, count: $0.count, point: .init(timestamp: 1, value: 1)) } }
        XCTAssertEqual(cache.store(&batch, overflow: .drop).added, 0)
        XCTAssertFalse(cache.isBelowLowWatermark)
        // Written metrics free their queues at once (their entries wait for a sweep).
        for name in cache.metricNames().prefix(10) { _ = cache.pop(name) }
        XCTAssertTrue(cache.isBelowLowWatermark)
        XCTAssertFalse(cache.isFull)
    }
}
