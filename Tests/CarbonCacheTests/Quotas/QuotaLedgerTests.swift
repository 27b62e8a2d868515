import CarbonConfig
import XCTest
@testable import CarbonCache

/// The counts behind quotas.conf, on explicit times (no clock of its own).
final class QuotaLedgerTests: XCTestCase {
    private func rules(_ text: String) throws -> QuotaRules { try QuotaRules.parse(text: text, fileName: "quotas.conf") }

    func testEachNamespaceGetsItsOwnSeriesQuotaAndTheServerRuleCapsThemAll() throws {
        let ledger = QuotaLedger(rules: try rules("[*]\nmetrics = 2\n[/]\nmetrics = 3\n"))
        XCTAssertNil(ledger.admitNewSeries("a.one", now: 0))
        XCTAssertNil(ledger.admitNewSeries("a.two", now: 0))
        XCTAssertEqual(ledger.admitNewSeries("a.three", now: 0), .init(rule: "*", namespace: "a", limit: .metrics))
        XCTAssertNil(ledger.admitNewSeries("b.one", now: 0))
        XCTAssertEqual(ledger.admitNewSeries("b.two", now: 0), .init(rule: "/", namespace: "", limit: .metrics))
        // A series with no namespace under [*] still counts on the server.
        XCTAssertEqual(ledger.admitNewSeries("top", now: 0)?.rule, "/")
        let report = ledger.report()
        XCTAssertEqual(report.map(\.refusedCreates), [1, 2])
        XCTAssertEqual(report.map(\.series), [3, 3])
        XCTAssertEqual(report[0].largest.map(\.namespace), ["a", "b"])
        // A refused create does not use up the other rules' room: releasing one frees it.
        ledger.releaseSeries("a.one")
        XCTAssertNil(ledger.admitNewSeries("a.four", now: 0))
    }

    func testNewSeriesPerMinuteRollsOverAfterAMinute() throws {
        let ledger = QuotaLedger(rules: try rules("[/]\nnew-series-per-minute = 2\n"))
        XCTAssertNil(ledger.admitNewSeries("m.1", now: 100))
        XCTAssertNil(ledger.admitNewSeries("m.2", now: 130))
        XCTAssertEqual(ledger.admitNewSeries("m.3", now: 159.9)?.limit, .newSeriesPerMinute)
        XCTAssertNil(ledger.admitNewSeries("m.3", now: 160))
        XCTAssertEqual(ledger.report()[0].series, 3)
    }

    func testThroughputRefusesPointsOverTheMinutesAllowanceOfTheirNamespaceOnly() throws {
        let ledger = QuotaLedger(rules: try rules("[*]\nthroughput = 3\n"))
        XCTAssertTrue(ledger.limitsThroughput)
        for _ in 0..<3 { XCTAssertNil(ledger.admitPoint("noisy.x", now: 10)) }
        XCTAssertEqual(ledger.admitPoint("noisy.y", now: 20), .init(rule: "*", namespace: "noisy", limit: .throughput))
        XCTAssertNil(ledger.admitPoint("quiet.x", now: 20))
        XCTAssertNil(ledger.admitPoint("noisy.x", now: 70))
        XCTAssertEqual(ledger.report()[0].refusedPoints, 1)
    }

    func testDroppingPolicyNoneCountsButAdmits() throws {
        let ledger = QuotaLedger(rules: try rules("[*]\nmetrics = 1\nthroughput = 1\ndropping-policy = none\n"))
        XCTAssertNil(ledger.admitNewSeries("a.1", now: 0))
        XCTAssertNil(ledger.admitNewSeries("a.2", now: 0))
        XCTAssertNil(ledger.admitPoint("a.1", now: 0))
        XCTAssertNil(ledger.admitPoint("a.1", now: 0))
        XCTAssertEqual(ledger.report()[0].refusedCreates, 1)
        XCTAssertEqual(ledger.report()[0].refusedPoints, 1)
        XCTAssertEqual(ledger.report()[0].series, 2)
    }

    func testTaggedSeriesCountUnderTheirNameAndExistingFilesCountUntilTheRulesChange() throws {
        let ledger = QuotaLedger(rules: try rules("[*]\nmetrics = 2\n"))
        let generation = ledger.generation
        ledger.countExisting(["disk.a", "disk.b"], generation: generation)
        XCTAssertEqual(ledger.admitNewSeries("disk.c;host=x", now: 0)?.namespace, "disk")
        // A count started for older rules is ignored.
        let next = ledger.replace(rules: try rules("[*]\nmetrics = 2\n"))
        ledger.countExisting(["disk.a", "disk.b"], generation: generation)
        XCTAssertNil(ledger.admitNewSeries("disk.c;host=x", now: 0))
        XCTAssertNotEqual(next, generation)
    }

    func testPruneForgetsNamespacesWithoutSeriesOnceTheirMinuteIsOver() throws {
        let ledger = QuotaLedger(rules: try rules("[*]\nthroughput = 10\nmetrics = 5\n"))
        for i in 0..<50 { _ = ledger.admitPoint("burst\(i).x", now: 0) }
        XCTAssertNil(ledger.admitNewSeries("kept.x", now: 0))
        XCTAssertEqual(ledger.report()[0].namespaces, 51)
        XCTAssertEqual(ledger.prune(now: 30), 0)
        XCTAssertEqual(ledger.prune(now: 61), 50)
        XCTAssertEqual(ledger.report()[0].namespaces, 1)
    }
}
