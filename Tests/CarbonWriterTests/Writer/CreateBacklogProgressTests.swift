import Foundation
import Logging
import Synchronization
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
@testable import Whisper

final class CreateBacklogProgressTests: XCTestCase {
    /// 60 creates per minute: one a second, reported from 10 pending creates (10 s of work).
    private func progress() -> CreateBacklogProgress { CreateBacklogProgress(maxCreatesPerMinute: 60) }

    func testThresholdIsTenSecondsOfCreatesAtTheLimit() {
        XCTAssertEqual(CreateBacklogProgress(maxCreatesPerMinute: 60).threshold, 10)
        XCTAssertEqual(CreateBacklogProgress(maxCreatesPerMinute: 50).threshold, 9)
        XCTAssertEqual(CreateBacklogProgress(maxCreatesPerMinute: 3).threshold, 1)
        XCTAssertEqual(CreateBacklogProgress(maxCreatesPerMinute: 0).threshold, 1)
    }

    func testNoCountingWhileNoMetricWaits() {
        var p = progress()
        var counted = 0
        for second in 0..<30 {
            XCTAssertNil(p.tick(at: Double(second), deferredCreates: 0, creates: second, countPending: { counted += 1; return 50 }))
        }
        XCTAssertEqual(counted, 0, "no deferred create, no file-system scan")
        XCTAssertFalse(p.isReporting)
    }

    func testSmallBacklogIsNotReported() {
        var p = progress()
        XCTAssertNil(p.tick(at: 0, deferredCreates: 5, creates: 0, countPending: { 9 }))
        XCTAssertNil(p.tick(at: 5, deferredCreates: 12, creates: 5, countPending: { 4 }))
        XCTAssertFalse(p.isReporting)
    }

    func testStartProgressEveryIntervalAndCleared() {
        var p = progress()
        XCTAssertEqual(p.tick(at: 100, deferredCreates: 40, creates: 60, countPending: { 40 }),
                       "event=create_backlog_start pending_creates=40 max_creates_per_minute=60 eta_seconds=40")
        // looked at again only once the interval has passed
        var counted = 0
        for t in stride(from: 100.5, to: 105, by: 0.5) {
            XCTAssertNil(p.tick(at: t, deferredCreates: 50, creates: 62, countPending: { counted += 1; return 38 }))
        }
        XCTAssertEqual(counted, 0)
        XCTAssertEqual(p.tick(at: 105, deferredCreates: 80, creates: 65, countPending: { 35 }),
                       "event=create_backlog_progress pending_creates=35 created=5 rate_per_second=1.0 eta_seconds=35 seconds=5")
        // created counts since the previous line; the rate is over the time since then
        XCTAssertEqual(p.tick(at: 110, deferredCreates: 90, creates: 67, countPending: { 33 }),
                       "event=create_backlog_progress pending_creates=33 created=2 rate_per_second=0.4 eta_seconds=83 seconds=10")
        // below the threshold but not empty: still reported until it is gone
        XCTAssertEqual(p.tick(at: 115, deferredCreates: 95, creates: 97, countPending: { 3 }),
                       "event=create_backlog_progress pending_creates=3 created=30 rate_per_second=6.0 eta_seconds=1 seconds=15")
        // counted even though no metric waited since the last look (a writer busy elsewhere)
        var countedWhileQuiet = 0
        XCTAssertNotNil(p.tick(at: 120, deferredCreates: 95, creates: 97, countPending: { countedWhileQuiet += 1; return 3 }))
        XCTAssertEqual(countedWhileQuiet, 1)
        XCTAssertEqual(p.tick(at: 125, deferredCreates: 96, creates: 100, countPending: { 0 }),
                       "event=create_backlog_cleared created=40 seconds=25")
        XCTAssertFalse(p.isReporting)
        XCTAssertNil(p.tick(at: 130, deferredCreates: 96, creates: 100, countPending: { 40 }), "nothing waited: quiet again")
    }

    func testNothingCreatedGivesAnUnknownEstimate() {
        var p = progress()
        XCTAssertNotNil(p.tick(at: 0, deferredCreates: 1, creates: 0, countPending: { 20 }))
        XCTAssertEqual(p.tick(at: 5, deferredCreates: 2, creates: 0, countPending: { 20 }),
                       "event=create_backlog_progress pending_creates=20 created=0 rate_per_second=0.0 eta_seconds=unknown seconds=5")
    }

    func testFractionalLimitIsShownAsConfigured() {
        var p = CreateBacklogProgress(maxCreatesPerMinute: 1.5)
        XCTAssertEqual(p.tick(at: 0, deferredCreates: 1, creates: 0, countPending: { 3 }),
                       "event=create_backlog_start pending_creates=3 max_creates_per_minute=1.5 eta_seconds=120")
    }

    // MARK: - Wired into the writer

    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-backlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    private func makeWriter(_ cache: MetricCache, maxCreatesPerMinute: Double?, logger: Logger = Logger(label: "test")) -> CacheWriter {
        var settings = WriterSettings(dataDirectory: dir.path)
        settings.allocation = .sparse
        settings.maxCreatesPerMinute = maxCreatesPerMinute
        let root = dir.path
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 60)]) })
        return CacheWriter(cache: cache, settings: settings, layout: layout, logger: logger)
    }

    func testPendingCreatesCountsCachedMetricsWithoutAFile() throws {
        let cache = MetricCache()
        let writer = makeWriter(cache, maxCreatesPerMinute: nil)
        let existing = try MetricPath.filePath(for: "has.file", dataDirectory: dir.path)
        try makeDirectories((existing as NSString).deletingLastPathComponent)
        _ = try WhisperFile.create(path: existing, archives: [.init(secondsPerPoint: 1, points: 60)], allocation: .sparse)
        for name in ["has.file", "new.one", "new.two", "a..b"] { cache.store(name, .init(timestamp: 1, value: 1)) }
        XCTAssertEqual(writer.pendingCreates(), 2, "the file exists for has.file; a..b can never be created")
    }

    func testWriterLogsTheBacklogAndStopsWithIt() throws {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        for i in 0..<10 { cache.store("backlog.m\(i)", .init(timestamp: now, value: 1)) }
        let threadsBefore = Self.backlogThreads()
        // 6 tokens at once, then one every 10 s: 4 metrics wait, over the threshold of 1
        let writer = makeWriter(cache, maxCreatesPerMinute: 6, logger: logger)
        writer.start()
        waitUntil { Self.backlogThreads() == threadsBefore + 1 }
        waitUntil { lines.all.contains { $0.hasPrefix("event=create_backlog_start pending_creates=4 ") } }
        writer.drainAndStop()
        XCTAssertEqual(writer.statistics.snapshot.creates, 10)
        waitUntil { Self.backlogThreads() == threadsBefore }
    }

    func testNoReportingThreadWithoutACreateLimit() {
        let threadsBefore = Self.backlogThreads()
        let writer = makeWriter(MetricCache(), maxCreatesPerMinute: nil)
        writer.start()
        // A fixed time: checks that nothing appears (a started thread names itself within it).
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(Self.backlogThreads(), threadsBefore)
        writer.drainAndStop()
    }

    /// Threads of this process named by `startCreateBacklogProgress`.
    private static func backlogThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return comm == "stoker-backlog\n"
        }.count
    }

    private func waitUntil(timeout: Double = 15, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else {
                XCTFail("condition not met within \(timeout) s")
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

/// Every message logged through `CapturingHandler`s sharing it.
final class CapturedLines: Sendable {
    private let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append("\(event.message)")
    }
}
