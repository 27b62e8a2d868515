import Foundation
import XCTest
@testable import Whisper

/// The on-disk layout (docs/whisper.md §1), checked against the reference's observed bytes.
final class WhisperFormatTests: XCTestCase {
    /// docs/whisper.md §1: `[(60,5),(300,2)]`, xff 0.5, sum, three points: 124 bytes, exactly these.
    func testReferenceExampleBytes() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("example.wsp").path
        let file = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 300, points: 2), .init(secondsPerPoint: 60, points: 5)],
                                          xFilesFactor: 0.5, aggregationMethod: .sum)
        // now far enough ahead that nothing propagates into a complete 300 s interval
        try file.updateMany([.init(timestamp: 1_700_000_040, value: 7), .init(timestamp: 1_700_000_100, value: 1.5),
                             .init(timestamp: 1_700_000_160, value: 2.5)], now: 1_700_000_160)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes.count, 124)
        let expectedPrefix: [UInt8] = [
            0, 0, 0, 2, 0, 0, 2, 0x58, 0x3f, 0, 0, 0, 0, 0, 0, 2,
            0, 0, 0, 0x28, 0, 0, 0, 0x3c, 0, 0, 0, 5,
            0, 0, 0, 0x64, 0, 0, 1, 0x2c, 0, 0, 0, 2,
            0x65, 0x53, 0xf1, 0x28, 0x40, 0x1c, 0, 0, 0, 0, 0, 0,
            0x65, 0x53, 0xf1, 0x64, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
            0x65, 0x53, 0xf1, 0xa0, 0x40, 0x04, 0, 0, 0, 0, 0, 0,
        ]
        XCTAssertEqual(Array(bytes[0..<76]), expectedPrefix)
        // 1700000040..160 covers 300 s interval 1699999800 (1 slot of 5 known: < xff) and
        // 1700000100 (2 of 5 known: < 0.5), so nothing propagated: the rest is zeros.
        XCTAssertEqual(Array(bytes[76...]), [UInt8](repeating: 0, count: 48))
    }

    func testHeaderRoundTripAndLayout() throws {
        let header = WhisperHeader(archives: try ArchiveSpec.validated([.init(secondsPerPoint: 10, points: 6), .init(secondsPerPoint: 60, points: 10)]),
                                   xFilesFactor: 0.1, aggregationMethod: .absmin)
        XCTAssertEqual(header.size, 40)
        XCTAssertEqual(header.archives.map(\.offset), [40, 112])
        XCTAssertEqual(header.fileSize, 232)
        XCTAssertEqual(header.maxRetention, 600)
        let encoded = header.encoded()
        let parsed = try encoded.withUnsafeBytes { try WhisperHeader(parsing: $0, fileSize: 232, path: "x") }
        XCTAssertEqual(parsed, header)
        // xff 0.1 is stored as float32 and reads back widened, as whisper reports it.
        XCTAssertEqual(Double(parsed.xFilesFactor), 0.10000000149011612)
    }

    func testFloorArithmeticMatchesPython() {
        XCTAssertEqual(floorDiv(-7, 2), -4)
        XCTAssertEqual(floorMod(-7, 2), 1)
        XCTAssertEqual(floorDiv(7, 2), 3)
        XCTAssertEqual(floorMod(7, 2), 1)
        XCTAssertEqual(floorMod(-120, 60), 0)
        XCTAssertEqual(floorDiv(-120, 60), -2)
        XCTAssertEqual(alignDown(1_700_000_059, 60), 1_700_000_040)
        XCTAssertEqual(alignDown(-1, 60), -60)
    }

    func testAllocationsGiveIdenticalFiles() throws {
        let dir = try makeTemporaryDirectory(self)
        var contents: [Data] = []
        for allocation in WhisperAllocation.allCases {
            let path = dir.appendingPathComponent("\(allocation).wsp").path
            let file = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 1440)], allocation: allocation)
            try file.updateMany([.init(timestamp: 1_700_000_000, value: 1)], now: 1_700_000_000)
            contents.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        XCTAssertEqual(contents[0].count, 28 + 1440 * 12)
        XCTAssertEqual(Set(contents).count, 1)
    }

    func testCreateRefusesExistingFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("a.wsp").path
        _ = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 10)])
        XCTAssertThrowsError(try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 10)])) {
            XCTAssertEqual($0 as? WhisperError, .fileExists(path: path))
        }
    }

    func testCreateInMissingDirectoryNamesThePath() throws {
        let path = "/nonexistent-dir-for-stoker/a.wsp"
        XCTAssertThrowsError(try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 10)])) {
            guard case let .io(p, operation, code)? = $0 as? WhisperError else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(operation, "open")
            XCTAssertEqual(code, ENOENT)
        }
    }

    func testSetAggregationMethodRewritesMetadataOnly() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("m.wsp").path
        let file = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 10), .init(secondsPerPoint: 300, points: 10)],
                                          xFilesFactor: 0.5, aggregationMethod: .average)
        XCTAssertEqual(try file.setAggregationMethod(.max), .average)
        XCTAssertEqual(file.info.aggregationMethod, .max)
        XCTAssertEqual(file.info.xFilesFactor, 0.5)
        XCTAssertEqual(try file.setAggregationMethod(.sum, xFilesFactor: 0.25), .max)
        let reopened = try WhisperFile.open(path: path, writable: false)
        XCTAssertEqual(reopened.info.aggregationMethod, .sum)
        XCTAssertEqual(reopened.info.xFilesFactor, 0.25)
        XCTAssertEqual(reopened.info.maxRetention, 3000)
        XCTAssertEqual(reopened.info.archives.count, 2)
    }

    func testDescriptorCanBeReleasedAndReopened() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("r.wsp").path
        let file = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 10, points: 60)])
        file.closeDescriptor()
        XCTAssertFalse(file.isDescriptorOpen)
        try file.updateMany([.init(timestamp: 1000, value: 5)], now: 1000)
        XCTAssertTrue(file.isDescriptorOpen)
        let series = try XCTUnwrap(file.fetch(from: 990, until: 1000, now: 1000))
        XCTAssertEqual(series.values, [5])
    }
}

extension WhisperFormatTests {
    func testSetAggregationMethodRefusesInvalidXff() throws {
        let dir = try makeTemporaryDirectory(self)
        let file = try WhisperFile.create(path: dir.appendingPathComponent("x.wsp").path, archives: [.init(secondsPerPoint: 60, points: 10)])
        for bad in [1.5, -0.1, Double.nan] {
            XCTAssertThrowsError(try file.setAggregationMethod(.sum, xFilesFactor: bad))
        }
        XCTAssertEqual(try WhisperFile.open(path: file.path).info.aggregationMethod, .average)
    }
}
