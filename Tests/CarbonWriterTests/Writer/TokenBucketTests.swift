import CarbonConfig
import ServerRuntime
import Synchronization
import XCTest
@testable import CarbonWriter

/// A clock that moves only when told, or when a sleep is asked of it (which then returns at
/// once): rate limits are tested to the microsecond without waiting for them.
final class ManualClock: Sendable {
    private let time = Mutex(1000.0)
    private let slept = Mutex<[Double]>([])

    var pacing: Pacing {
        Pacing(now: { [self] in time.withLock { $0 } }, sleep: { [self] seconds in
            slept.withLock { $0.append(seconds) }
            time.withLock { $0 += seconds }
        })
    }

    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
    var now: Double { time.withLock { $0 } }
    var sleeps: [Double] { slept.withLock { $0 } }
}

/// carbon's token bucket (MAX_UPDATES_PER_SECOND, MAX_CREATES_PER_MINUTE): starts full, refills
/// continuously, waits in slices of at most 0.1 s so a lifted limit is seen quickly.
final class TokenBucketTests: XCTestCase {
    func testStartsFullThenRefillsAtItsRate() {
        let clock = ManualClock()
        let bucket = TokenBucket(capacity: 2, ratePerSecond: 4, pacing: clock.pacing)
        XCTAssertTrue(bucket.tryTake())
        XCTAssertTrue(bucket.tryTake())
        XCTAssertFalse(bucket.tryTake(), "empty")
        XCTAssertEqual(bucket.waitTimeWithoutTaking(), 0.25, accuracy: 1e-9)
        clock.advance(0.25)
        XCTAssertTrue(bucket.tryTake())
        clock.advance(10)
        XCTAssertTrue(bucket.tryTake())
        XCTAssertTrue(bucket.tryTake())
        XCTAssertFalse(bucket.tryTake(), "never more than its capacity")
    }

    func testTakeWaitsForTheNextTokenInSlices() {
        let clock = ManualClock()
        let bucket = TokenBucket(capacity: 1, ratePerSecond: 4, pacing: clock.pacing)
        XCTAssertEqual(bucket.take(), 0)
        XCTAssertEqual(bucket.take(), 0.25, accuracy: 1e-9)
        XCTAssertEqual(clock.sleeps.count, 3, "slices of 0.1 s: \(clock.sleeps)")
        XCTAssertTrue(clock.sleeps.allSatisfy { $0 <= 0.1 + 1e-12 })
    }

    func testALiftedLimitEndsTheWaitAndNilIsUnlimited() {
        let clock = ManualClock()
        let bucket = TokenBucket(capacity: 1, ratePerSecond: 0.001, pacing: clock.pacing)
        _ = bucket.take()
        var asked = 0
        let waited = bucket.take(unless: {
            asked += 1
            return asked > 5
        })
        XCTAssertEqual(waited, 0.5, accuracy: 1e-9, "five slices, then the limit was lifted")
        bucket.setRate(nil)
        XCTAssertTrue(bucket.isUnlimited)
        XCTAssertTrue((0..<1000).allSatisfy { _ in bucket.tryTake() })
        bucket.setRate(10)
        XCTAssertTrue(bucket.tryTake(), "a new rate starts full")
    }
}
