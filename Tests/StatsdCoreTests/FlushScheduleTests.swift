import XCTest
@testable import StatsdCore

/// The flush schedule on explicit times: no clock, no sleeps.
final class FlushScheduleTests: XCTestCase {
    func testFlushesEveryIntervalFromTheStart() {
        var schedule = FlushSchedule(interval: 10, start: 1000)
        XCTAssertEqual(schedule.wait(at: 1000), 10)
        XCTAssertEqual(schedule.wait(at: 1009.5), 0.5)
        XCTAssertEqual(schedule.wait(at: 1010), 0)
        schedule.flushed(at: 1010.2)
        XCTAssertEqual(schedule.next, 1020, "a flush's own duration does not shift the schedule")
        schedule.flushed(at: 1021)
        XCTAssertEqual(schedule.next, 1030)
    }

    func testAnOverrunOrASuspensionDoesNotCauseABurst() {
        var schedule = FlushSchedule(interval: 10, start: 1000)
        // the process was stopped for a minute: one flush now, the next one interval later
        schedule.flushed(at: 1070)
        XCTAssertEqual(schedule.next, 1080)
        XCTAssertEqual(schedule.wait(at: 1070), 10)
    }
}
