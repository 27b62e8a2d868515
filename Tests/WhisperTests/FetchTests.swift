import Foundation
import XCTest
@testable import Whisper

/// fetch's window and archive choice (docs/whisper.md §8), with the reference's observed examples.
final class FetchTests: XCTestCase {
    private var file: WhisperFile!
    private let now = 1_700_000_000  // a multiple of 10

    override func setUpWithError() throws {
        let dir = try makeTemporaryDirectory(self)
        file = try WhisperFile.create(path: dir.appendingPathComponent("f.wsp").path,
                                      archives: [.init(secondsPerPoint: 10, points: 6), .init(secondsPerPoint: 60, points: 10)])
        try file.updateMany((0...5).map { .init(timestamp: now - 10 * $0, value: Double($0)) }, now: now)
    }

    func testWindowIsOpenAtFromAndClosedAtUntil() throws {
        let series = try XCTUnwrap(file.fetch(from: now - 60, until: now, now: now))
        // retention 60 ≥ 60 → the 10 s archive; intervals now-50 … now
        XCTAssertEqual(series.step, 10)
        XCTAssertEqual(series.fromInterval, now - 50)
        XCTAssertEqual(series.untilInterval, now + 10)
        XCTAssertEqual(series.values, [5, 4, 3, 2, 1, 0].map { Optional(Double($0)) })
    }

    func testZeroWidthRangeReturnsTheIntervalAfter() throws {
        let series = try XCTUnwrap(file.fetch(from: now - 10, until: now - 10, now: now))
        XCTAssertEqual(series.fromInterval, now)
        XCTAssertEqual(series.untilInterval, now + 10)
        XCTAssertEqual(series.values, [0])
    }

    func testFutureAndTooOldRangesAreNone() throws {
        XCTAssertNil(try file.fetch(from: now + 1, until: now + 100, now: now))
        XCTAssertNil(try file.fetch(from: 0, until: now - 601, now: now))
    }

    func testOldRangeIsClampedAndUsesLowerArchive() throws {
        let series = try XCTUnwrap(file.fetch(from: 0, until: now - 590, now: now))
        XCTAssertEqual(series.step, 60)
        XCTAssertEqual(series.fromInterval, alignDown(now - 600, 60) + 60)
    }

    func testFromAfterUntilIsAnError() {
        XCTAssertThrowsError(try file.fetch(from: now, until: now - 1, now: now)) {
            XCTAssertEqual($0 as? WhisperError, .invalidTimeInterval(from: now, until: now - 1))
        }
    }

    func testForcedArchive() throws {
        let series = try XCTUnwrap(file.fetch(from: now - 60, until: now, now: now, archiveStep: 60))
        XCTAssertEqual(series.step, 60)
        XCTAssertThrowsError(try file.fetch(from: now - 60, until: now, now: now, archiveStep: 30))
    }

    func testEmptyArchiveGivesNones() throws {
        let dir = try makeTemporaryDirectory(self)
        let empty = try WhisperFile.create(path: dir.appendingPathComponent("e.wsp").path, archives: [.init(secondsPerPoint: 10, points: 6)])
        let series = try XCTUnwrap(empty.fetch(from: now - 30, until: now, now: now))
        XCTAssertEqual(series.values, [nil, nil, nil])
    }

    func testStaleSlotsFromAnEarlierLapReadAsMissing() throws {
        let later = now + 60  // every slot is from one lap ago
        try file.updateMany([.init(timestamp: later, value: 42)], now: later)
        let series = try XCTUnwrap(file.fetch(from: later - 60, until: later, now: later))
        XCTAssertEqual(series.values, [nil, nil, nil, nil, nil, 42])
    }
}
