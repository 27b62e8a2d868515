import Foundation
import Logging
import ServerRuntime
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter

/// The writer threads pace themselves by the writer's injected clock and sleep: the back-off
/// after failed rounds and the shutdown's give-up time run on a manual clock here, no real
/// waiting.
final class WriterPacingTests: XCTestCase {
    func testFailedRoundsBackOffByDoublingAndTheDrainGivesUpAfterTheRetryTime() throws {
        // The data directory is a regular file: every open fails (ENOTDIR), points stay cached.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-pacing-\(UUID().uuidString)").path
        XCTAssertTrue(FileManager.default.createFile(atPath: root, contents: Data()))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 60)]) })
        var settings = WriterSettings(dataDirectory: root)
        settings.threads = 1
        settings.shutdownRetrySeconds = 30
        let cache = MetricCache(shardCount: 1)
        cache.store("unwritable.metric", .init(timestamp: 1_700_000_000, value: 1))
        let clock = ManualClock()
        let writer = CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"),
                                 pacing: clock.pacing)
        writer.start()
        let drainBegan = clock.now
        writer.drainAndStop()

        // The waits after failed rounds: 0.1 s doubling up to 5 s, never reset (no round wrote).
        let backoffs = clock.sleeps.filter { $0 >= 0.1 }
        XCTAssertEqual(Array(backoffs.prefix(7)), [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5])
        XCTAssertEqual(Set(backoffs.dropFirst(6)), [5])
        // Given up once the shutdown had failed for longer than shutdownRetrySeconds of the
        // writer's clock; the point is still cached (counted as lost by the drain's log).
        let shutdownSeconds = clock.now - drainBegan
        XCTAssertGreaterThan(shutdownSeconds, 30)
        XCTAssertEqual(cache.size, 1)
        XCTAssertGreaterThan(writer.statistics.snapshot.errors, 7)
    }
}
