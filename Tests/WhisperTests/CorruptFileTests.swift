import Foundation
import XCTest
@testable import Whisper

/// A damaged file is a typed error naming the file, never a crash or made-up data.
final class CorruptFileTests: XCTestCase {
    private func write(_ bytes: [UInt8]) throws -> String {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("bad.wsp").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertCorrupt(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(bytes)
        XCTAssertThrowsError(try WhisperFile.open(path: path), file: file, line: line) { error in
            guard case let .corrupt(p, reason)? = error as? WhisperError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(p, path, file: file, line: line)
            XCTAssertFalse(reason.isEmpty, file: file, line: line)
            XCTAssertTrue("\(error)".contains(path), file: file, line: line)
        }
    }

    private var valid: [UInt8] {
        WhisperHeader(archives: [.init(secondsPerPoint: 60, points: 5)], xFilesFactor: 0.5, aggregationMethod: .average).encoded()
            + [UInt8](repeating: 0, count: 60)
    }

    func testEmptyFile() throws { try assertCorrupt([]) }
    func testShortMetadata() throws { try assertCorrupt(Array(valid[0..<10])) }
    func testTruncatedArchiveTable() throws { try assertCorrupt(Array(valid[0..<20])) }
    func testTruncatedData() throws { try assertCorrupt(Array(valid[0..<60])) }

    func testUnknownAggregationType() throws {
        var bytes = valid
        bytes[3] = 9
        try assertCorrupt(bytes)
    }

    func testXffAboveOne() throws {
        var bytes = valid
        bytes[8...11] = [0x40, 0, 0, 0]  // 2.0
        try assertCorrupt(bytes)
    }

    func testZeroStep() throws {
        var bytes = valid
        bytes[20...23] = [0, 0, 0, 0]
        try assertCorrupt(bytes)
    }

    func testZeroArchives() throws {
        var bytes = valid
        bytes[12...15] = [0, 0, 0, 0]
        try assertCorrupt(bytes)
    }

    func testHugeArchiveCount() throws {
        var bytes = valid
        bytes[12...15] = [0xff, 0xff, 0xff, 0xff]
        try assertCorrupt(bytes)
    }

    func testValidFileOpens() throws {
        let path = try write(valid)
        XCTAssertEqual(try WhisperFile.open(path: path).header.archives.count, 1)
    }

    /// A file truncated after it was opened: the update fails with a typed error instead of
    /// writing past what the header promised.
    func testFileTruncatedWhileOpen() throws {
        let path = try write(valid)
        let file = try WhisperFile.open(path: path)
        truncate(path, 30)
        XCTAssertThrowsError(try file.fetch(from: 0, until: 100, now: 100))
    }

    /// A header longer than the first read (over 20 archives) is read in full.
    func testManyArchivesHeaderOpens() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("many.wsp").path
        let unique = (0..<24).map { ArchiveSpec(secondsPerPoint: 1 << $0, points: 4) }
        _ = try WhisperFile.create(path: path, archives: unique, xFilesFactor: 0.5, aggregationMethod: .average, allocation: .sparse)
        XCTAssertGreaterThan(unique.count, 20)
        XCTAssertEqual(try WhisperFile.open(path: path).header.archives.count, unique.count)
    }
}
