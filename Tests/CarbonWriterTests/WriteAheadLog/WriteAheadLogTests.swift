import Foundation
import Logging
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
import Whisper

final class WriteAheadLogRecordTests: XCTestCase {
    func testRecordsReadBackAndACutShortTailIsLeftOut() {
        var bytes: [UInt8] = []
        WriteAheadLogRecord.append(name: "a.b", CachedPoint(timestamp: 1_700_000_000, value: 1.5), to: &bytes)
        WriteAheadLogRecord.append(name: "météo;host=x", CachedPoint(timestamp: 1_700_000_060.5, value: -.infinity), to: &bytes)
        XCTAssertEqual(bytes.count, (4 + 3 + 16) + (4 + "météo;host=x".utf8.count + 16))
        let whole = WriteAheadLogRecord.read(bytes)
        XCTAssertTrue(whole.complete)
        XCTAssertEqual(whole.records.map(\.name), ["a.b", "météo;host=x"])
        XCTAssertEqual(whole.records.map(\.point), [CachedPoint(timestamp: 1_700_000_000, value: 1.5),
                                                    CachedPoint(timestamp: 1_700_000_060.5, value: -.infinity)])
        // A crash in the middle of the second record: the first survives.
        for cut in [bytes.count - 1, 23 + 4, 23 + 2] {
            let torn = WriteAheadLogRecord.read(Array(bytes[0..<cut]))
            XCTAssertFalse(torn.complete)
            XCTAssertEqual(torn.records.map(\.name), ["a.b"])
        }
        // A damaged length field stops reading instead of allocating it.
        XCTAssertFalse(WriteAheadLogRecord.read([0xff, 0xff, 0xff, 0x7f] + [UInt8](repeating: 0, count: 40)).complete)
        XCTAssertTrue(WriteAheadLogRecord.read([]).complete)
    }
}

/// The log and the writer together: what a crash leaves is stored again at the next start, and
/// what the writer has put on disk is removed.
final class WriteAheadLogTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    private func makeWriter(_ cache: MetricCache, maxCreatesPerMinute: Double? = nil) -> CacheWriter {
        let root = dir.appendingPathComponent("whisper").path
        var settings = WriterSettings(dataDirectory: root)
        settings.allocation = .sparse
        settings.maxCreatesPerMinute = maxCreatesPerMinute
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 600)], aggregationMethod: .sum) })
        return CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"))
    }

    private var walDirectory: String { dir.appendingPathComponent("wal").path }

    /// Records on disk in the log's segments.
    private func loggedRecords(_ log: WriteAheadLog) -> Int {
        log.segmentSequences().reduce(0) { total, sequence in
            let bytes = FileManager.default.contents(atPath: log.path(sequence)).map { [UInt8]($0) } ?? []
            return total + WriteAheadLogRecord.read(bytes).records.count
        }
    }

    func testACrashedRunsPointsComeBackAndAreRemovedOnceWritten() throws {
        let now = Double(Int(Date().timeIntervalSince1970))
        // Run 1: the writer may create one file a minute, so the points stay cached; the log is
        // fsynced; then the process "dies": run 2 starts while run 1 is left as it is.
        let crashedCache = MetricCache(shardCount: 2)
        let crashedWriter = makeWriter(crashedCache, maxCreatesPerMinute: 1)
        let crashedLog = WriteAheadLog(directory: walDirectory, fsyncInterval: 0.05, logger: Logger(label: "test"))
        defer {
            crashedWriter.drainAndStop()
            crashedLog.stop(cacheEmpty: false)
        }
        let intake = MetricIntake(cache: crashedCache, timestampResolution: 0, filters: nil, logger: Logger(label: "test"),
                                  writeAheadLog: crashedLog)
        XCTAssertEqual(try crashedLog.replay(into: crashedCache), 0)
        crashedLog.start(writer: crashedWriter)
        crashedWriter.start()
        for i in 0..<20 {
            for t in 0..<3 { intake.accept(name: "crash.m\(i)", value: Double(i * 10 + t), timestamp: now - 3 + Double(t)) }
        }
        try waitUntil { self.loggedRecords(crashedLog) == 60 }
        XCTAssertGreaterThan(crashedCache.size, 0, "the create limit keeps points cached")

        // Run 2: the same directory; everything is stored again, then written and forgotten.
        let cache = MetricCache(shardCount: 2)
        let writer = makeWriter(cache)
        let log = WriteAheadLog(directory: walDirectory, fsyncInterval: 0.05, logger: Logger(label: "test"))
        XCTAssertGreaterThanOrEqual(try log.replay(into: cache), 60)
        XCTAssertEqual(cache.queues, 20)
        log.start(writer: writer)
        writer.start()
        try waitUntil(timeout: 15) { cache.size == 0 && log.segmentSequences().isEmpty }
        writer.drainAndStop()
        log.stop(cacheEmpty: cache.size == 0)
        let file = try WhisperFile.open(path: dir.appendingPathComponent("whisper/crash/m7.wsp").path, writable: false)
        let values = try XCTUnwrap(file.fetch(from: Int(now) - 4, until: Int(now), now: Int(now))).values.compactMap { $0 }
        XCTAssertEqual(values, [70, 71, 72])
    }

    func testAGracefulStopLeavesNothingToReplay() throws {
        let cache = MetricCache(shardCount: 1)
        let writer = makeWriter(cache)
        let log = WriteAheadLog(directory: walDirectory, fsyncInterval: 0.05, logger: Logger(label: "test"))
        let intake = MetricIntake(cache: cache, timestampResolution: 0, filters: nil, logger: Logger(label: "test"), writeAheadLog: log)
        try log.replay(into: cache)
        log.start(writer: writer)
        writer.start()
        intake.accept(name: "graceful.m", value: 1, timestamp: Double(Int(Date().timeIntervalSince1970)))
        writer.drainAndStop()
        log.stop(cacheEmpty: cache.size == 0)
        XCTAssertEqual(log.segmentSequences(), [])
    }
}
