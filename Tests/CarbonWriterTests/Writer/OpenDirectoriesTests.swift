import Foundation
import XCTest
@testable import CarbonWriter
import Whisper

/// Which directories a writer holds open once it holds as many as it may.
final class OpenDirectoriesTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-open-directories-\(UUID().uuidString)")
        for name in ["a", "b", "c", "d"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
    }

    private func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func testADirectoryIsHeldOnlyWhenItMissesTwiceOnceFull() {
        var directories = OpenDirectories(capacity: 2)
        XCTAssertNotNil(directories.directory(path("a")))
        XCTAssertNotNil(directories.directory(path("b")))
        // Full: a directory seen once (its files may come one at a time) is not opened.
        XCTAssertNil(directories.directory(path("c")))
        XCTAssertEqual(directories.count, 2)
        // Seen again: it takes the place of one the clock finds unused.
        XCTAssertEqual(directories.directory(path("c"))?.path, path("c"))
        XCTAssertEqual(directories.count, 2)
        XCTAssertNotNil(directories.directory(path("c")), "held now: found without a miss")
    }

    func testTheDirectoryUsedSinceTheHandPassedStays() {
        var directories = OpenDirectories(capacity: 2)
        let a = directories.directory(path("a"))
        _ = directories.directory(path("b"))
        XCTAssertTrue(directories.directory(path("a")) === a, "a used again, b not")
        _ = directories.directory(path("c"))
        _ = directories.directory(path("c"))
        XCTAssertTrue(directories.directory(path("a")) === a, "c took b's place")
        XCTAssertNil(directories.directory(path("b")), "b was replaced: a miss, remembered once")
        // a is used again, c is not: d replaces c.
        _ = directories.directory(path("d"))
        _ = directories.directory(path("d"))
        XCTAssertTrue(directories.directory(path("a")) === a)
        XCTAssertNil(directories.directory(path("c")), "c was replaced")
    }

    func testForgettingFreesItsPlace() {
        var directories = OpenDirectories(capacity: 2)
        _ = directories.directory(path("a"))
        _ = directories.directory(path("b"))
        directories.forget(path("a"))
        XCTAssertEqual(directories.count, 1)
        XCTAssertNotNil(directories.directory(path("c")), "room again: opened at its first miss")
        XCTAssertNotNil(directories.directory(path("b")))
        directories.forgetAll()
        XCTAssertEqual(directories.count, 0)
        XCTAssertNil(directories.directory(path("missing")), "not there: nothing to hold")
    }

    func testAFileIsOpenedThroughItsHeldParentWhenItsDirectoryIsNotHeld() throws {
        for name in ["t/k1", "t/k2", "t/k3"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        var directories = OpenDirectories(capacity: 2)
        _ = directories.directory(path("t"))
        _ = directories.directory(path("a"))
        // Full, k1 seen once: not held, so its file is looked up from the parent.
        let first = try XCTUnwrap(directories.opening("upper.wsp", in: path("t/k1")))
        XCTAssertEqual(first.directory.path, path("t"))
        XCTAssertEqual(first.name, "k1/upper.wsp")
        // Seen again: k1 takes a's place (t was used since), opened by its name in t.
        let second = try XCTUnwrap(directories.opening("upper.wsp", in: path("t/k1")))
        XCTAssertEqual(second.directory.path, path("t/k1"))
        XCTAssertEqual(second.name, "upper.wsp")
        // A whisper file opened by the relative name through the parent is the file at the path.
        let file = try WhisperFile.create(path: path("t/k2/upper.wsp"), archives: [ArchiveSpec(secondsPerPoint: 10, points: 6)])
        file.closeDescriptor()
        let through = try XCTUnwrap(directories.opening("upper.wsp", in: path("t/k2")))
        XCTAssertEqual(through.name, "k2/upper.wsp")
        let opened = try WhisperFile.open(name: through.name, in: through.directory, path: path("t/k2/upper.wsp"))
        XCTAssertEqual(opened.path, path("t/k2/upper.wsp"))
        XCTAssertEqual(opened.header.archives.count, 1)
        // Neither the directory nor its parent held: nothing to open through.
        var empty = OpenDirectories(capacity: 0)
        XCTAssertNil(empty.opening("upper.wsp", in: path("t/k2")))
    }
}
