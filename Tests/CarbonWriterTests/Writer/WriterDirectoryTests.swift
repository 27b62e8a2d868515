import Foundation
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
@testable import Whisper

/// The writer opens files by name in directories it holds open (`OpenDirectories`); what an
/// operator does to those directories meanwhile must not lose or misplace points.
final class WriterDirectoryTests: XCTestCase {
    private var dir: URL!
    private let now = Double(Int(Date().timeIntervalSince1970))

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-directories-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    /// One worker driven by hand, as a writer thread's round would: 9 descriptors, two of them
    /// for directories, so of ten files in `d` three are reopened for every write.
    private func makeWorker() -> (MetricCache, CacheWriter, WriterWorker) {
        handDrivenWriter(root: dir.path, openFileBudget: 9)
    }

    private func writeRound(_ worker: inout WriterWorker, _ cache: MetricCache, _ metrics: [String], value: Double, at t: Double) {
        for metric in metrics { cache.store(metric, .init(timestamp: t, value: value)) }
        for metric in metrics { XCTAssertEqual(worker.write(metric, stopping: false), .written, metric) }
    }

    private func lastValue(_ relativePath: String) throws -> Double? {
        let file = try WhisperFile.open(path: dir.appendingPathComponent(relativePath).path, writable: false)
        return try XCTUnwrap(file.fetch(from: Int(now) - 10, until: Int(now), now: Int(now))).values.compactMap { $0 }.last
    }

    func testFilesAreReopenedThroughTheirDirectory() throws {
        var (cache, writer, worker) = makeWorker()
        let metrics = (0..<10).map { "d.m\($0)" }
        writeRound(&worker, cache, metrics, value: 1, at: now - 2)
        writeRound(&worker, cache, metrics, value: 2, at: now - 1)
        // `d` and its parent (the first create found `d` missing and looked in the parent).
        XCTAssertEqual(worker.directories.count, 2)
        XCTAssertEqual(worker.pinnedCount, 7)
        worker.unpublished.publish(to: writer.statistics)
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 20)
        XCTAssertEqual(writer.statistics.snapshot.errors, 0)
        for i in 0..<10 { XCTAssertEqual(try lastValue("d/m\(i).wsp"), 2) }
    }

    func testARemovedDirectoryIsLetGoAndItsFilesCreatedAgain() throws {
        var (cache, writer, worker) = makeWorker()
        let metrics = (0..<10).map { "d.m\($0)" }
        writeRound(&worker, cache, metrics, value: 1, at: now - 3)
        // The operator removes the whole directory (an old metric tree cleaned up).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("d"))

        // A new metric in it: looked up in the removed directory, then created by its path.
        writeRound(&worker, cache, ["d.new"], value: 5, at: now - 2)
        XCTAssertEqual(try lastValue("d/new.wsp"), 5)

        // A known file whose descriptor was released: the reopen finds it missing, what was
        // kept of it is forgotten and the same write creates it again. Not an error: carbon
        // does the same.
        cache.store("d.m9", .init(timestamp: now - 1, value: 9))
        XCTAssertEqual(worker.write("d.m9", stopping: false), .written)
        XCTAssertEqual(cache.size, 0)
        XCTAssertEqual(try lastValue("d/m9.wsp"), 9)
        XCTAssertEqual(writer.statistics.snapshot.creates, 12, "ten, d.new, and d.m9 again")
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 0)
        XCTAssertEqual(writer.statistics.snapshot.errors, 0)
    }

    func testAReloadLetsGoOfADirectoryMovedAway() throws {
        var (cache, writer, worker) = makeWorker()
        let metrics = (0..<10).map { "d.m\($0)" }
        writeRound(&worker, cache, metrics, value: 1, at: now - 3)
        // The operator moves the tree aside and reloads (SIGHUP), as after any manual change.
        try FileManager.default.moveItem(at: dir.appendingPathComponent("d"), to: dir.appendingPathComponent("old"))
        writer.reloadLayout(writer.layout.withLock { $0 })
        worker.forgetAfterReload()
        XCTAssertEqual(worker.directories.count, 0)
        XCTAssertEqual(worker.pinnedCount, 0)
        XCTAssertEqual(worker.files.count, 0)

        // Neither a file kept open (m0) nor one reopened through its directory (m9) is written
        // in the moved directory: both are created again where their names lead.
        writeRound(&worker, cache, ["d.m0", "d.m9"], value: 9, at: now - 1)
        for name in ["m0", "m9"] {
            XCTAssertEqual(try lastValue("d/\(name).wsp"), 9)
            XCTAssertEqual(try lastValue("old/\(name).wsp"), 1, "the moved file keeps only what it had")
        }
        XCTAssertEqual(writer.statistics.snapshot.errors, 0)
    }

    func testFileLocationSplitsAtTheLastSlash() {
        let location = FileLocation(path: "/data/a/b/c.wsp")
        XCTAssertEqual(location?.directory, "/data/a/b")
        XCTAssertEqual(location?.name, "c.wsp")
        XCTAssertEqual(FileLocation(path: "/c.wsp")?.directory, nil, "no directory to hold")
        XCTAssertNil(FileLocation(path: "c.wsp"))
        XCTAssertNil(FileLocation(path: "/data/"))
    }
}

/// A file deleted by an operator while its descriptor is kept open is created again (carbon
/// opens the file for every write and so recreates it at once).
final class WriterDeletedFileTests: XCTestCase {
    func testADeletedFileIsCreatedAgain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-deleted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var (cache, writer, worker) = handDrivenWriter(root: dir.path, openFileBudget: 64)
        let now = Double(Int(Date().timeIntervalSince1970))
        let file = dir.appendingPathComponent("kept/open.wsp")

        cache.store("kept.open", .init(timestamp: now - 2, value: 1))
        XCTAssertEqual(worker.write("kept.open", stopping: false), .written)
        XCTAssertEqual(worker.pinnedCount, 1)
        try FileManager.default.removeItem(at: file)
        worker.dropDeletedFiles(force: true)
        XCTAssertEqual(worker.pinnedCount, 0)
        XCTAssertNil(worker.files.take("kept.open"), "forgotten: opened afresh at the next write")

        cache.store("kept.open", .init(timestamp: now - 1, value: 2))
        XCTAssertEqual(worker.write("kept.open", stopping: false), .written)
        let values = try XCTUnwrap(WhisperFile.open(path: file.path, writable: false).fetch(from: Int(now) - 5, until: Int(now), now: Int(now))).values
        XCTAssertEqual(values.compactMap { $0 }, [2], "a new file, with the point written after the deletion")
        XCTAssertEqual(writer.statistics.snapshot.creates, 2)
    }
}
