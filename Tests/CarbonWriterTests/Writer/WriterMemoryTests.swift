import Foundation
import Logging
import XCTest
@testable import CarbonCache
@testable import CarbonConfig
@testable import CarbonWriter

/// The writers' per-file state counts in the cache's memory (docs/carbon.md §16), and near the
/// memory ceiling they forget the state of files whose descriptor they had released.
final class WriterMemoryTests: XCTestCase {
    private func drain(ceiling: Int?) throws -> (cache: MetricCache, names: [String]) {
        let (_, layout, defaults) = try temporaryDataDirectory("writer-memory")
        var settings = defaults
        settings.openFileBudget = 16  // up to four directories held open, 12 files
        let cache = MetricCache(limits: .init(maxBytes: ceiling), shardCount: 1)
        let names = (0..<50).map { "mem.metric\($0)" }
        let now = Double(Int(Date().timeIntervalSince1970))
        for name in names { cache.store(name, .init(timestamp: now, value: 1)) }
        let writer = CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"))
        writer.start()
        writer.drainAndStop()
        XCTAssertEqual(cache.size, 0)
        return (cache, names)
    }

    func testEveryWrittenFilesStateIsCountedWithMemoryToSpare() throws {
        let (cache, names) = try drain(ceiling: nil)
        let entries = names.reduce(0) { $0 + MetricCache.bytesPerEntry + $1.utf8.count }
        let files = names.reduce(0) { $0 + WrittenFiles.bytesPerFile + 4 + $1.utf8.count }  // one archive each
        XCTAssertEqual(cache.memoryBytes, entries + files)
    }

    /// `WrittenFiles` holds descriptors as plain numbers: the writer closes them when it
    /// stops, or a service stopped and started again in one process runs out of them.
    func testAStoppedWriterHoldsNoDescriptors() throws {
        func openDescriptors() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }
        let before = try openDescriptors()
        _ = try drain(ceiling: nil)
        XCTAssertEqual(try openDescriptors(), before)
    }

    func testNearTheCeilingOnlyTheOpenFilesStateIsKept() throws {
        let (cache, names) = try drain(ceiling: 1000)
        let entries = names.reduce(0) { $0 + MetricCache.bytesPerEntry + $1.utf8.count }
        let kept = cache.memoryBytes - entries
        XCTAssertGreaterThan(kept, 0)
        XCTAssertLessThanOrEqual(kept, 14 * (WrittenFiles.bytesPerFile + 4 + "mem.metric49".utf8.count))
    }
}
