import Foundation
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
@testable import Whisper

/// A quarantine lasts until the rules are reloaded, even when the reload comes in the middle of
/// a writer's round (the round may sleep in settle() after looking at the reload counter).
final class WriterQuarantineReloadTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-quarantine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bad"), withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    func testReloadMidRoundLiftsTheQuarantineForTheNextWrite() throws {
        var (cache, writer, worker) = handDrivenWriter(root: dir.path, openFileBudget: 4)
        let layout = writer.layout.withLock { $0 }
        let file = dir.appendingPathComponent("bad/file.wsp")
        try Data("not whisper".utf8).write(to: file)
        let now = Double(Int(Date().timeIntervalSince1970))

        cache.store("bad.file", .init(timestamp: now, value: 1))
        XCTAssertEqual(worker.write("bad.file", stopping: false), .written)
        XCTAssertEqual(writer.statistics.snapshot.quarantinedMetrics, 1)
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 1)

        // The operator repairs the file and reloads; a point arrives before the worker's loop
        // comes round to its top again.
        try FileManager.default.removeItem(at: file)
        writer.reloadLayout(layout)
        cache.store("bad.file", .init(timestamp: now, value: 2))
        XCTAssertEqual(worker.write("bad.file", stopping: false), .written)
        // A round's writes reach the shared counters at its end (or every 1024 writes).
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 0)
        worker.unpublished.publish(to: writer.statistics)
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 1, "the point after the reload is written")
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 1)
        let written = try WhisperFile.open(path: file.path, writable: false)
        XCTAssertEqual(try XCTUnwrap(written.fetch(from: Int(now) - 5, until: Int(now), now: Int(now))).values.last, 2)
    }
}
