import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

final class MetricCacheTests: XCTestCase {
    func testSameTimestampKeepsLastValueAndSize() {
        let cache = MetricCache()
        XCTAssertEqual(cache.store("a.b", .init(timestamp: 100, value: 1)), .added)
        XCTAssertEqual(cache.store("a.b", .init(timestamp: 100, value: 2)), .replaced)
        XCTAssertEqual(cache.store("a.b", .init(timestamp: 90, value: 3)), .added)
        XCTAssertEqual(cache.size, 2)
        XCTAssertEqual(cache.queues, 1)
        // insertion order of first store, values replaced in place
        XCTAssertEqual(cache.points(of: "a.b"), [.init(timestamp: 100, value: 2), .init(timestamp: 90, value: 3)])
        XCTAssertEqual(cache.pop("a.b"), [.init(timestamp: 90, value: 3), .init(timestamp: 100, value: 2)])
        XCTAssertEqual(cache.size, 0)
        XCTAssertEqual(cache.queues, 0)
        XCTAssertNil(cache.pop("a.b"))
    }

    func testOutOfOrderDuplicateIsFound() {
        let cache = MetricCache()
        for ts in [10.0, 20, 30, 40] { cache.store("m", .init(timestamp: ts, value: ts)) }
        XCTAssertEqual(cache.store("m", .init(timestamp: 20, value: -1)), .replaced)
        XCTAssertEqual(cache.sortedPoints(of: "m").map(\.value), [10, -1, 30, 40])
    }

    func testReadingNeverCreatesAnEntry() {
        let cache = MetricCache()
        XCTAssertEqual(cache.points(of: "typo"), [])
        XCTAssertEqual(cache.sortedPoints(of: "typo"), [])
        XCTAssertEqual(cache.queues, 0)
        XCTAssertTrue(cache.counts().isEmpty)
    }

    func testFullCacheWithoutFlowControlDropsNewPointsWithoutCreatingQueues() {
        let cache = MetricCache(limits: .init(maxSize: 3, flowControl: false))
        for i in 0..<3 { XCTAssertEqual(cache.store("m\(i)", .init(timestamp: 1, value: 1)), .added) }
        XCTAssertTrue(cache.isFull)
        XCTAssertEqual(cache.store("new", .init(timestamp: 1, value: 1)), .dropped)
        XCTAssertEqual(cache.store("m0", .init(timestamp: 2, value: 1)), .dropped)
        // replacing an existing timestamp is still allowed and does not grow the cache
        XCTAssertEqual(cache.store("m0", .init(timestamp: 1, value: 5)), .replaced)
        XCTAssertEqual(cache.queues, 3)
        XCTAssertEqual(cache.size, 3)
        XCTAssertEqual(cache.overflowCount, 2)
    }

    func testFlowControlKeepsWhatWasReadButDatagramsDrop() {
        let cache = MetricCache(limits: .init(maxSize: 100, flowControl: true))
        for i in 0..<150 { XCTAssertEqual(cache.store("m", .init(timestamp: Double(i), value: 1)), .added) }
        XCTAssertTrue(cache.isFull)
        XCTAssertEqual(cache.overflowCount, 0)
        // a sender that cannot be paused (UDP) is dropped at the limit, and counted
        XCTAssertEqual(cache.store("m", .init(timestamp: 1000, value: 1), overflow: .drop), .dropped)
        XCTAssertEqual(cache.overflowCount, 1)
        XCTAssertFalse(cache.isBelowLowWatermark)
        _ = cache.pop("m")
        XCTAssertTrue(cache.isBelowLowWatermark)
        XCTAssertFalse(cache.isFull)
    }

    func testLowWatermarkIsNinetyFivePercent() {
        let cache = MetricCache(limits: .init(maxSize: 100, flowControl: true))
        for i in 0..<95 { cache.store("m\(i)", .init(timestamp: 1, value: 1)) }
        XCTAssertFalse(cache.isBelowLowWatermark)
        _ = cache.pop("m0")
        XCTAssertTrue(cache.isBelowLowWatermark)
    }

    func testRestoreKeepsNewerValues() {
        let cache = MetricCache()
        cache.store("m", .init(timestamp: 10, value: 1))
        let popped = cache.pop("m")!
        cache.store("m", .init(timestamp: 10, value: 2))   // arrived while the write failed
        cache.restore("m", popped + [.init(timestamp: 5, value: 7)])
        XCTAssertEqual(cache.sortedPoints(of: "m"), [.init(timestamp: 5, value: 7), .init(timestamp: 10, value: 2)])
        XCTAssertEqual(cache.size, 2)
        XCTAssertEqual(cache.queues, 1)
    }

    func testCountsAndSummariesCoverEveryShard() {
        let cache = MetricCache(shardCount: 8)
        for i in 0..<200 { for t in 0...(i % 3) { cache.store("metric.\(i)", .init(timestamp: Double(t), value: 0)) } }
        XCTAssertEqual(cache.counts().count, 200)
        XCTAssertEqual(cache.counts().reduce(0) { $0 + $1.count }, cache.size)
        XCTAssertEqual(cache.summaries(ofShards: 0..<8, includeOldest: false).count, 200)
        XCTAssertEqual(Set(cache.metricNames()).count, 200)
    }

    func testConcurrentStoresAreAllCounted() {
        let cache = MetricCache(shardCount: 16)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<5000 { cache.store("t\(thread).m\(i % 100)", .init(timestamp: Double(i), value: 1)) }
        }
        XCTAssertEqual(cache.size, 20000)
        XCTAssertEqual(cache.queues, 400)
    }
}
