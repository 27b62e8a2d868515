import Foundation
import Logging
import XCTest
@testable import CarbonCache
@testable import CarbonConfig
@testable import CarbonWriter

/// The writers ask quotas.conf's counts before every create: a refused new series gets no file
/// and its cached points are dropped, counted on the rule; existing files keep being written.
final class WriterQuotaTests: XCTestCase {
    func testCreatesBeyondANamespacesQuotaAreRefusedAndCounted() throws {
        let (root, layout, settings) = try temporaryDataDirectory("quota")
        let quotas = QuotaLedger(rules: try QuotaRules.parse(text: "[*]\nmetrics = 2\n", fileName: "quotas.conf"))
        let cache = MetricCache()
        let now = Double(Int(Date().timeIntervalSince1970))
        for name in ["busy.a", "busy.b", "busy.c", "busy.d", "calm.a"] {
            cache.store(name, .init(timestamp: now, value: 1))
            cache.store(name, .init(timestamp: now - 1, value: 2))
        }
        let writer = CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"), quotas: quotas)
        writer.start()
        writer.drainAndStop()

        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".wsp") }.sorted()
        XCTAssertEqual(files.count, 3, "\(files)")
        XCTAssertEqual(files.filter { $0.hasPrefix("busy/") }.count, 2)
        XCTAssertTrue(files.contains("calm/a.wsp"))
        XCTAssertEqual(cache.size, 0)
        let report = quotas.report()[0]
        XCTAssertEqual(report.refusedCreates, 2)
        XCTAssertEqual(report.refusedPoints, 4)
        XCTAssertEqual(report.series, 3)
        XCTAssertEqual(writer.statistics.snapshot.droppedPoints, 4)
        XCTAssertEqual(writer.statistics.snapshot.creates, 3)
    }
}
