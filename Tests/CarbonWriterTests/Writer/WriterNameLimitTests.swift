import Foundation
import Logging
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
@testable import Whisper

/// Names the path rules accept but the file system never will (a component over NAME_MAX, a
/// path over PATH_MAX): their points are dropped and counted like a bad name's, instead of
/// being retried forever and holding up the shutdown drain.
final class WriterNameLimitTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-namelimit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { [dir] in try? FileManager.default.removeItem(at: dir!) }
    }

    func testNamesTooLongForTheFileSystemAreDroppedNotRetried() throws {
        let root = dir.path
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 60)]) })
        var settings = WriterSettings(dataDirectory: root)
        settings.allocation = .sparse
        // Were these names retried, the drain would give up after this long with them still cached.
        settings.shutdownRetrySeconds = 2
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        let longComponent = "long." + String(repeating: "y", count: 300)
        let longPath = "deep." + Array(repeating: String(repeating: "z", count: 200), count: 30).joined(separator: ".")
        cache.store(longComponent, .init(timestamp: now, value: 1))
        cache.store(longPath, .init(timestamp: now, value: 2))
        cache.store(longPath, .init(timestamp: now - 1, value: 3))
        cache.store("fine.metric", .init(timestamp: now, value: 4))
        let writer = CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"))
        writer.start()
        let began = Date()
        writer.drainAndStop()
        XCTAssertLessThan(Date().timeIntervalSince(began), 2, "no retrying of names that can never be files")
        XCTAssertEqual(cache.size, 0)
        let stats = writer.statistics.snapshot
        XCTAssertEqual(stats.droppedPoints, 3)
        XCTAssertEqual(stats.errors, 2)
        XCTAssertEqual(stats.committedPoints, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fine/metric.wsp").path))
    }
}
