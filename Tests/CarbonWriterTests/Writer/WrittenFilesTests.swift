import Foundation
import Glibc
import XCTest
@testable import CarbonWriter
@testable import Whisper

/// What a writer keeps of a file it has written: enough to write it again through a held
/// descriptor, or to reopen it by name without reading its header, in a few dozen bytes.
final class WrittenFilesTests: XCTestCase {
    private var dir: URL!
    private let now = 1_000_000_000

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-written-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    private func file(_ relative: String, archives: [ArchiveSpec] = [.init(secondsPerPoint: 10, points: 360)]) throws -> WhisperFile {
        try WhisperFile.create(path: dir.appendingPathComponent(relative).path, archives: archives, xFilesFactor: 0.5,
                               allocation: .sparse)
    }

    private func values(_ relative: String) throws -> [Double] {
        let series = try WhisperFile.open(path: dir.appendingPathComponent(relative).path, writable: false)
            .fetch(from: now - 60, until: now, now: now)
        return try XCTUnwrap(series).values.compactMap { $0 }
    }

    func testKeepsHeaderBasesAndDirectoryOfAPlainName() throws {
        var files = WrittenFiles()
        let written = try file("a/b/c.wsp", archives: [.init(secondsPerPoint: 10, points: 6), .init(secondsPerPoint: 60, points: 10)])
        try written.updateMany([WhisperPoint(timestamp: now - 5, value: 1)], now: now)
        XCTAssertNotEqual(written.knownBases[0], 0)
        files.keep("a.b.c", written, descriptor: -1)

        let kept = try XCTUnwrap(files.take("a.b.c"))
        XCTAssertEqual(kept.header, written.header)
        XCTAssertEqual(kept.bases, written.knownBases)
        XCTAssertEqual(kept.directory, dir.appendingPathComponent("a/b").path)
        XCTAssertEqual(kept.descriptor, -1)
        XCTAssertNil(files.take("a.b.d"))
        XCTAssertEqual(files.memoryBytes, "a.b.c".utf8.count + WrittenFiles.bytesPerFile + 4 * 2)
    }

    func testAFileNamedOtherwiseIsKeptWithoutItsDirectory() throws {
        var files = WrittenFiles()
        // A hashed tagged name: its file's name is not the name's last component.
        files.keep("cpu;host=a", try file("a/b/0123abcd.wsp"), descriptor: -1)
        XCTAssertNil(try XCTUnwrap(files.take("cpu;host=a")).directory, "worked out from the rules at each reopen")
    }

    func testAHeldDescriptorPassesToTheWriteAndBack() throws {
        var files = WrittenFiles()
        let first = try file("a/b/c.wsp")
        try first.updateMany([WhisperPoint(timestamp: now - 20, value: 1)], now: now)
        files.keep("a.b.c", first, descriptor: first.relinquishDescriptor())
        XCTAssertEqual(files.openCount, 1)

        let kept = try XCTUnwrap(files.take("a.b.c"))
        XCTAssertGreaterThanOrEqual(kept.descriptor, 0)
        XCTAssertEqual(files.openCount, 0, "the write holds it now")
        let again = try WhisperFile.reopen(path: dir.appendingPathComponent("a/b/c.wsp").path, name: "c.wsp", in: nil,
                                           descriptor: kept.descriptor, header: kept.header, bases: kept.bases)
        try again.updateMany([WhisperPoint(timestamp: now - 10, value: 2)], now: now)
        XCTAssertEqual(again.relinquishDescriptor(), kept.descriptor, "the same descriptor, not reopened")
        files.putBack(kept, descriptor: kept.descriptor, bases: again.knownBases)
        XCTAssertEqual(files.openCount, 1)
        XCTAssertEqual(try values("a/b/c.wsp"), [1, 2])

        files.forget("a.b.c")
        XCTAssertEqual(files.openCount, 0)
        XCTAssertEqual(fcntl(kept.descriptor, F_GETFD), -1, "closed when forgotten")
        XCTAssertNil(files.take("a.b.c"))
    }

    func testAReleasedFileIsReopenedByNameWithItsKeptHeader() throws {
        var files = WrittenFiles()
        let first = try file("a/b/c.wsp")
        try first.updateMany([WhisperPoint(timestamp: now - 20, value: 1)], now: now)
        files.keep("a.b.c", first, descriptor: -1)
        first.closeDescriptor()

        let kept = try XCTUnwrap(files.take("a.b.c"))
        let directory = try WhisperDirectory(path: try XCTUnwrap(kept.directory))
        let reopened = try WhisperFile.reopen(path: dir.appendingPathComponent("a/b/c.wsp").path, name: WrittenFiles.fileName(of: "a.b.c"),
                                              in: directory, header: kept.header, bases: kept.bases)
        try reopened.updateMany([WhisperPoint(timestamp: now - 10, value: 2)], now: now)
        XCTAssertEqual(try values("a/b/c.wsp"), [1, 2])
    }

    func testBasesAWriteSetAreKept() throws {
        var files = WrittenFiles()
        let written = try file("a/b/c.wsp")
        files.keep("a.b.c", written, descriptor: -1)
        let kept = try XCTUnwrap(files.take("a.b.c"))
        XCTAssertEqual(kept.bases, [0], "an empty archive: its base is not known yet")
        files.putBack(kept, descriptor: -1, bases: [now - 10])
        XCTAssertEqual(files.take("a.b.c")?.bases, [now - 10])
    }

    func testOneHeaderPerSchemaForgottenNamesReusedAndReleasedOnesDropped() throws {
        var files = WrittenFiles()
        for i in 0..<100 {
            let written = try file("a/b/m\(i).wsp")
            files.keep("a.b.m\(i)", written, descriptor: i < 10 ? written.relinquishDescriptor() : -1)
        }
        XCTAssertEqual(files.openCount, 10)
        let memory = files.memoryBytes
        XCTAssertEqual(memory, (0..<100).reduce(0) { $0 + "a.b.m\($1)".utf8.count + WrittenFiles.bytesPerFile + 4 })

        files.forget("a.b.m70")
        XCTAssertNil(files.take("a.b.m70"))
        files.keep("a.b.m70", try WhisperFile.open(path: dir.appendingPathComponent("a/b/m70.wsp").path), descriptor: -1)
        XCTAssertNotNil(files.take("a.b.m70"))
        XCTAssertEqual(files.count, 100, "kept again in its old place")
        XCTAssertEqual(files.memoryBytes, memory)

        // At the memory ceiling only the files held open stay.
        files.forgetReleased()
        XCTAssertEqual(files.count, 10)
        XCTAssertEqual(files.openCount, 10)
        XCTAssertEqual(files.memoryBytes, (0..<10).reduce(0) { $0 + "a.b.m\($1)".utf8.count + WrittenFiles.bytesPerFile + 4 })
        let held = try XCTUnwrap(files.take("a.b.m3"))
        XCTAssertEqual(close(held.descriptor), 0, "still open, now this test's")
        XCTAssertNil(files.take("a.b.m50"))

        files.removeAll()
        XCTAssertEqual(files.openCount, 0)
        XCTAssertEqual(files.memoryBytes, 0)
    }

    func testFileNameOfAName() {
        XCTAssertEqual(WrittenFiles.fileName(of: "a.b.c"), "c.wsp")
        XCTAssertEqual(WrittenFiles.fileName(of: "c"), "c.wsp")
    }
}
