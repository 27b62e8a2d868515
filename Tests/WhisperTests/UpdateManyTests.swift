import Foundation
import XCTest
@testable import Whisper

/// update_many's rules (docs/whisper.md §6) on small files whose every slot the test can see.
final class UpdateManyTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try makeTemporaryDirectory(self) }

    private func file(_ archives: [(Int, Int)], xff: Double = 0.5, method: AggregationMethod = .average) throws -> WhisperFile {
        try WhisperFile.create(path: dir.appendingPathComponent("\(UUID().uuidString).wsp").path,
                               archives: archives.map { ArchiveSpec(secondsPerPoint: $0.0, points: $0.1) },
                               xFilesFactor: xff, aggregationMethod: method)
    }

    /// Every slot of archive `index` as (interval, value), in file order.
    private func slots(_ file: WhisperFile, _ index: Int) throws -> [(Int, Double)] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path)))
        let archive = file.header.archives[index]
        return data[archive.offset..<archive.end].withUnsafeBytes { raw in
            stride(from: 0, to: archive.size, by: 12).map { (raw.loadInterval(at: $0), raw.loadValue(at: $0)) }
        }
    }

    func testPointGoesToFirstArchiveCoveringItsAge() throws {
        let f = try file([(10, 6), (60, 10)])
        let now = 1_000_000
        // age 60 == retention of archive 0: still archive 0 (≥, not >)
        XCTAssertEqual(try f.updateMany([.init(timestamp: now - 60, value: 1)], now: now), 1)
        XCTAssertEqual(try slots(f, 0)[0].0, now - 60)
        // age 61: archive 1 directly, never archive 0
        try f.updateMany([.init(timestamp: now - 61, value: 2)], now: now)
        XCTAssertTrue(try slots(f, 1).contains { $0.0 == alignDown(now - 61, 60) && $0.1 == 2 })
        // older than every archive: dropped, nothing written
        let before = try Data(contentsOf: URL(fileURLWithPath: f.path))
        XCTAssertEqual(try f.updateMany([.init(timestamp: now - 601, value: 3)], now: now), 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: f.path)), before)
    }

    func testFuturePointsLandInArchiveZero() throws {
        let f = try file([(10, 6), (60, 10)])
        let now = 1_000_000
        try f.updateMany([.init(timestamp: now + 25, value: 9)], now: now)
        XCTAssertEqual(try slots(f, 0)[0].0, now + 20)
        XCTAssertEqual(try slots(f, 0)[0].1, 9)
    }

    func testLatestTimestampInIntervalWinsAndTiesKeepFirstGiven() throws {
        let f = try file([(10, 6)])
        let now = 1_000_000
        try f.updateMany([.init(timestamp: now - 9, value: 1), .init(timestamp: now - 5, value: 2), .init(timestamp: now - 7, value: 3)], now: now)
        XCTAssertEqual(try slots(f, 0)[0].1, 2)
        try f.updateMany([.init(timestamp: now - 5, value: 4), .init(timestamp: now - 5, value: 5)], now: now)
        XCTAssertEqual(try slots(f, 0)[0].1, 4)
    }

    func testRingWrapsBackwardsWithFloorArithmetic() throws {
        let f = try file([(10, 6)])
        let now = 1_000_000
        try f.updateMany([.init(timestamp: now, value: 1)], now: now)         // base = now, slot 0
        try f.updateMany([.init(timestamp: now - 10, value: 2)], now: now)    // one before base: last slot
        let s = try slots(f, 0)
        XCTAssertEqual(s[0].0, now)
        XCTAssertEqual(s[5].0, now - 10)
        XCTAssertEqual(s[5].1, 2)
    }

    func testRunCrossingTheArchiveEndContinuesAtTheStart() throws {
        let f = try file([(10, 6)])
        let now = 1_000_000
        try f.updateMany([.init(timestamp: now - 20, value: 0)], now: now)   // base
        try f.updateMany((0..<5).map { .init(timestamp: now - 20 + 10 * $0 + 30, value: Double($0)) }, now: now + 70)
        let s = try slots(f, 0)
        // slots: base now-20 at 0; now+10 → slot 3, now+20 → 4, now+30 → 5, now+40 → 0, now+50 → 1
        XCTAssertEqual(s[3].0, now + 10)
        XCTAssertEqual(s[5].0, now + 30)
        XCTAssertEqual(s[0].0, now + 40)
        XCTAssertEqual(s[1].0, now + 50)
        XCTAssertEqual(s[1].1, 4)
    }

    func testPropagationRespectsXffAndStopsAtFirstArchiveWithNothing() throws {
        let f = try file([(10, 6), (60, 10), (600, 10)], xff: 0.5, method: .sum)
        let start = 1_000_020  // multiple of 60 (and 600 * 1666 + 420)
        let now = start + 59
        // 2 of 6 slots: below xff 0.5 → nothing in archive 1, so nothing tried in archive 2
        try f.updateMany([.init(timestamp: start, value: 1), .init(timestamp: start + 10, value: 2)], now: now)
        XCTAssertTrue(try slots(f, 1).allSatisfy { $0.0 == 0 })
        // a third slot: 3/6 = 0.5 ≥ xff → (start, 6) written to archive 1
        try f.updateMany([.init(timestamp: start + 20, value: 3)], now: now)
        XCTAssertTrue(try slots(f, 1).contains { $0 == (start, 6) })
        // archive 2: 1 of 10 known 60 s slots < 0.5 → not propagated
        XCTAssertTrue(try slots(f, 2).allSatisfy { $0.0 == 0 })
    }

    func testXffIsComparedAsFloat32() throws {
        // 1/6 as float32 is 0.1666666716 > 1/6: one known slot of six does not pass.
        let f = try file([(10, 6), (60, 10)], xff: 1.0 / 6.0, method: .sum)
        try f.updateMany([.init(timestamp: 1_000_020, value: 1)], now: 1_000_030)
        XCTAssertTrue(try slots(f, 1).allSatisfy { $0.0 == 0 })
    }

    func testOutOfRangeTimestampsAreLeftOut() throws {
        let f = try file([(10, 6)])
        XCTAssertEqual(try f.updateMany([.init(timestamp: -5, value: 1), .init(timestamp: Int(UInt32.max) + 10, value: 2)], now: Int(UInt32.max) + 10), 0)
    }

    func testEmptyUpdateDoesNothing() throws {
        let f = try file([(10, 6)])
        XCTAssertEqual(try f.updateMany([], now: 1), 0)
    }
}
