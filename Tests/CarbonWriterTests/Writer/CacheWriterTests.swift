import Foundation
import Logging
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
@testable import Whisper

final class CacheWriterTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    private func layout(_ archives: [ArchiveSpec] = [.init(secondsPerPoint: 1, points: 600)]) -> StorageLayout {
        let root = dir.path
        return StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                             newFile: { _ in NewFileLayout(archives: archives, xFilesFactor: 0, aggregationMethod: .sum) })
    }

    private func makeWriter(_ cache: MetricCache, configure: (inout WriterSettings) -> Void = { _ in }) -> CacheWriter {
        var settings = WriterSettings(dataDirectory: dir.path)
        settings.allocation = .sparse
        configure(&settings)
        return CacheWriter(cache: cache, settings: settings, layout: layout(), logger: Logger(label: "test"))
    }

    private func fetch(_ metric: String, now: Int) throws -> [Double?] {
        let file = try WhisperFile.open(path: try MetricPath.filePath(for: metric, dataDirectory: dir.path), writable: false)
        return try XCTUnwrap(file.fetch(from: now - 5, until: now, now: now)).values
    }

    func testWritesEveryPointAndStops() throws {
        let cache = MetricCache(shardCount: 4)
        let now = Int(Date().timeIntervalSince1970)
        for i in 0..<50 {
            for t in 0..<5 { cache.store("w.m\(i)", .init(timestamp: Double(now - 4 + t), value: Double(i * 10 + t))) }
        }
        let writer = makeWriter(cache) { $0.threads = 2 }
        writer.start()
        writer.drainAndStop()
        XCTAssertEqual(cache.size, 0)
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 250)
        XCTAssertEqual(writer.statistics.snapshot.creates, 50)
        XCTAssertEqual(writer.statistics.snapshot.updateOperations, 50)
        XCTAssertEqual(try fetch("w.m7", now: now), [70, 71, 72, 73, 74])
    }

    func testCreateLimitDefersInsteadOfDropping() throws {
        let cache = MetricCache()
        let now = Int(Date().timeIntervalSince1970)
        for i in 0..<5 { cache.store("d.m\(i)", .init(timestamp: Double(now), value: 1)) }
        // 3 tokens now (bucket starts full), then one every 20 s: two metrics must wait
        let writer = makeWriter(cache) { $0.maxCreatesPerMinute = 3 }
        writer.start()
        try waitUntil { writer.statistics.snapshot.creates == 3 && writer.statistics.snapshot.deferredCreates > 0 }
        XCTAssertEqual(cache.queues, 2, "deferred metrics keep their points in the cache")
        // a shutdown lifts the limit: nothing is lost
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.creates, 5)
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 5)
        XCTAssertEqual(cache.size, 0)
    }

    func testBadNameIsDroppedAndCounted() throws {
        let cache = MetricCache()
        cache.store("a..b", .init(timestamp: 1, value: 1))
        cache.store("ok.metric", .init(timestamp: Double(Int(Date().timeIntervalSince1970)), value: 1))
        let writer = makeWriter(cache)
        writer.start()
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 1)
        XCTAssertEqual(writer.statistics.snapshot.errors, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ok/metric.wsp").path))
    }

    func testCorruptFileIsQuarantinedOthersFlow() throws {
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bad"), withIntermediateDirectories: true)
        try Data("not whisper".utf8).write(to: dir.appendingPathComponent("bad/file.wsp"))
        cache.store("bad.file", .init(timestamp: now, value: 1))
        cache.store("good.file", .init(timestamp: now, value: 2))
        let writer = makeWriter(cache)
        writer.start()
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.quarantinedMetrics, 1)
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 1)
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 1)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("bad/file.wsp")), Data("not whisper".utf8), "left untouched")
    }

    func testTransientFailureKeepsPointsAndCatchesUp() throws {
        let cache = MetricCache()
        let now = Int(Date().timeIntervalSince1970)
        // A plain file where the metric's directory must go: creating fails until it is removed.
        try Data().write(to: dir.appendingPathComponent("blocked"))
        cache.store("blocked.metric", .init(timestamp: Double(now), value: 42))
        let writer = makeWriter(cache)
        writer.start()
        try waitUntil { writer.statistics.snapshot.errors >= 1 }
        XCTAssertEqual(cache.size, 1, "the point waits in the cache")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("blocked"))
        try waitUntil(timeout: 15) { writer.statistics.snapshot.committedPoints == 1 }
        writer.drainAndStop()
        XCTAssertEqual(try fetch("blocked.metric", now: now).last, 42)
    }

    func testUpdateRateLimitIsHonoured() throws {
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        for i in 0..<30 { cache.store("r.m\(i)", .init(timestamp: now, value: 1)) }
        let began = Date()
        let writer = makeWriter(cache) { $0.maxUpdatesPerSecond = 20; $0.maxUpdatesPerSecondOnShutdown = 1000 }
        writer.start()
        try waitUntil { writer.statistics.snapshot.updateOperations == 30 }
        // 20 tokens at start, then 20 a second: the 30th update waits half a second for its token
        XCTAssertGreaterThan(Date().timeIntervalSince(began), 0.45)
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.updateOperations, 30)
    }

    func testLiftedLimitsLetAnOperatorFlushNow() throws {
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        for i in 0..<10 { cache.store("op.m\(i)", .init(timestamp: now, value: 1)) }
        let writer = makeWriter(cache) { $0.maxUpdatesPerSecond = 0.001; $0.maxCreatesPerMinute = 0.001; $0.maxUpdatesPerSecondOnShutdown = .infinity }
        writer.start()
        try writer.withLimitsLifted {
            try waitUntil { writer.statistics.snapshot.committedPoints == 10 }
        }
        // limits apply again afterwards: a new metric waits
        let deferredBefore = writer.statistics.snapshot.deferredCreates
        cache.store("op.after", .init(timestamp: now, value: 1))
        try waitUntil { writer.statistics.snapshot.deferredCreates > deferredBefore }
        XCTAssertEqual(cache.queues, 1)
        writer.drainAndStop()
    }

    func testFileDescriptorBudgetIsRespected() throws {
        let cache = MetricCache(shardCount: 1)
        let now = Double(Int(Date().timeIntervalSince1970))
        for i in 0..<40 { cache.store("fd.m\(i)", .init(timestamp: now, value: 1)) }
        let before = try openDescriptorCount()
        let writer = makeWriter(cache) { $0.openFileBudget = 5 }
        writer.start()
        try waitUntil { writer.statistics.snapshot.committedPoints == 40 }
        XCTAssertLessThanOrEqual(try openDescriptorCount() - before, 5)
        // a second round through the same files works with reopened descriptors
        for i in 0..<40 { cache.store("fd.m\(i)", .init(timestamp: now - 1, value: 2)) }
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.committedPoints, 80)
    }

    private func openDescriptorCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }
}

/// Polls until `condition` holds (no fixed sleeps); after `timeout` seconds the test fails and
/// the thrown error ends it.
func waitUntil(timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        Thread.sleep(forTimeInterval: 0.01)
    }
    XCTFail("condition not met within \(timeout) s", file: file, line: line)
    throw WaitTimedOut(seconds: timeout)
}

struct WaitTimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "timed out after \(seconds) s" }
}
