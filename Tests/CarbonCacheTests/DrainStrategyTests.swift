import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

final class DrainStrategyTests: XCTestCase {
    let queues = [
        QueueSummary(metric: "a", count: 3, sequence: 1, oldestTimestamp: 50),
        QueueSummary(metric: "b", count: 5, sequence: 2, oldestTimestamp: 40),
        QueueSummary(metric: "c", count: 3, sequence: 3, oldestTimestamp: 10),
        QueueSummary(metric: "d", count: 1, sequence: 4, oldestTimestamp: 95),
    ]

    func testSortedMostPointsFirstTiesNewerFirst() {
        XCTAssertEqual(DrainStrategy.sorted.order(queues, now: 100, minimumLag: 0), ["b", "c", "a", "d"])
        XCTAssertEqual(DrainStrategy.max.order(queues, now: 100, minimumLag: 0), ["b", "c", "a", "d"])
    }

    func testNaiveNewestCachedFirst() {
        XCTAssertEqual(DrainStrategy.naive.order(queues, now: 100, minimumLag: 0), ["d", "c", "b", "a"])
    }

    func testTimesortedOldestPointFirstWithLag() {
        XCTAssertEqual(DrainStrategy.timesorted.order(queues, now: 100, minimumLag: 0), ["c", "b", "a", "d"])
        // only metrics whose oldest point is more than 20 s old
        XCTAssertEqual(DrainStrategy.timesorted.order(queues, now: 100, minimumLag: 20), ["c", "b", "a"])
    }
}
