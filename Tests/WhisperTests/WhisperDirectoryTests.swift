import Foundation
import XCTest
@testable import Whisper

/// Files opened by name in a held directory (`WhisperDirectory`, the writer's reopen path) and
/// the archive bases read along with the header.
final class WhisperDirectoryTests: XCTestCase {
    private let now = 1_700_000_000

    private func makeFile(in directory: URL, name: String = "m.wsp") throws -> String {
        let path = directory.appendingPathComponent(name).path
        let file = try WhisperFile.create(path: path, archives: [.init(secondsPerPoint: 60, points: 100), .init(secondsPerPoint: 600, points: 20)],
                                          xFilesFactor: 0, allocation: .sparse)
        try file.updateMany([WhisperPoint(timestamp: now - 120, value: 1)], now: now)
        return path
    }

    func testOpeningByNameInADirectoryEqualsOpeningByPath() throws {
        let root = try makeTemporaryDirectory(self)
        let path = try makeFile(in: root)
        let directory = try WhisperDirectory(path: root.path)
        let byName = try WhisperFile.open(name: "m.wsp", in: directory)
        let byPath = try WhisperFile.open(path: path)
        XCTAssertEqual(byName.path, path)
        XCTAssertEqual(byName.header, byPath.header)
        XCTAssertEqual(byName.bases, byPath.bases)
        XCTAssertThrowsError(try WhisperFile.open(name: "missing.wsp", in: directory)) { error in
            guard case let .io(p, "open", code)? = error as? WhisperError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, root.appendingPathComponent("missing.wsp").path, "errors name the whole path")
            XCTAssertEqual(code, ENOENT)
        }
    }

    func testTheFirstArchivesBaseComesWithTheHeader() throws {
        let root = try makeTemporaryDirectory(self)
        let path = try makeFile(in: root)
        let file = try WhisperFile.open(path: path)
        // Archive 0 starts right after the 40-byte header, inside the one 256-byte read.
        XCTAssertEqual(file.bases[0], (now - 120) / 60 * 60)
        // Archive 1 starts 1,200 bytes later: read when first needed.
        XCTAssertEqual(file.bases[1], 0)
        XCTAssertEqual(try file.base(of: 1, fd: try file.descriptor()), (now - 120) / 600 * 600)
    }

    func testAReleasedDescriptorIsTakenAgainThroughTheDirectory() throws {
        let root = try makeTemporaryDirectory(self)
        let path = try makeFile(in: root)
        let directory = try WhisperDirectory(path: root.path)
        let file = try WhisperFile.open(name: "m.wsp", in: directory)
        file.closeDescriptor()
        try file.reopenDescriptor(name: "m.wsp", in: directory)
        XCTAssertTrue(file.isDescriptorOpen)
        try file.updateMany([WhisperPoint(timestamp: now - 60, value: 2)], now: now)
        let values = try XCTUnwrap(WhisperFile.open(path: path, writable: false).fetch(from: now - 180, until: now, now: now)).values
        XCTAssertEqual(values, [1, 2, nil])
    }

    func testARemovedDirectorySaysSo() throws {
        let root = try makeTemporaryDirectory(self)
        let sub = root.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        let directory = try WhisperDirectory(path: sub.path)
        XCTAssertFalse(directory.isRemoved)
        try FileManager.default.removeItem(at: sub)
        XCTAssertTrue(directory.isRemoved)
        XCTAssertThrowsError(try WhisperDirectory(path: sub.path))
    }
}
