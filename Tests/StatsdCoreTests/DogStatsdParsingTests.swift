@testable import StatsdCore
import XCTest

/// The DogStatsD datagram (docs/dogstatsd.md) on the table a reader fills: what statsd would
/// reject becomes data, what statsd accepts keeps statsd's meaning.
final class DogStatsdParsingTests: XCTestCase {
    private func parse(_ packet: String, _ configure: (inout StatsdSettings) -> Void = { _ in }) -> AggregationTable {
        var settings = StatsdSettings()
        configure(&settings)
        var parser = StatsdPacketParser(settings: settings)
        var table = AggregationTable()
        parser.parse(packet, into: &table)
        return table
    }

    func testPackedValuesAreSamplesEachWithTheSampleRate() {
        let table = parse("""
            views:1:2:3|c|@0.5
            lat:10:20|ms|@0.5
            level:5:-2:+1|g
            users:a:b:a|s
            """)
        XCTAssertEqual(table.counter("views"), 12)
        XCTAssertEqual(table.timer("lat")?.values, [10, 20])
        XCTAssertEqual(table.timer("lat")?.count, 4)
        XCTAssertEqual(table.gauge("level"), 4, "each value applied in order: 5, then -2, then +1")
        XCTAssertEqual(table.setMembers("users"), ["a", "b"])
        XCTAssertEqual(table.internalCount(.badLinesSeen), 0)
    }

    func testContainerAndUnknownExtensionFieldsAreIgnored() {
        let table = parse("""
            a:1|c|#env:prod|c:3e7a1b
            b:2|ms|c:3e7a1b|#env:prod
            c:3|g|card:orchestrator|e:it-false,cn-web
            """)
        XCTAssertEqual(table.counter("a;env=prod"), 1)
        XCTAssertEqual(table.timer("b;env=prod")?.values, [2])
        XCTAssertEqual(table.gauge("c"), 3)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 0)
    }

    func testClientTimestampMakesAPointOfItsOwn() {
        let table = parse("""
            sold:3|c|@0.5|T1700000000|#shop:a
            temp:21.5|g|T1700000100
            lat:7|ms|T1700000000
            """)
        XCTAssertNil(table.counter("sold;shop=a"), "not aggregated into the interval")
        XCTAssertNil(table.gauge("temp"))
        XCTAssertEqual(table.extras.stamped, [
            .init(kind: .counter, key: "sold;shop=a", value: 6, timestamp: 1_700_000_000),
            .init(kind: .gauge, key: "temp", value: 21.5, timestamp: 1_700_000_100),
        ])
        XCTAssertEqual(table.timer("lat")?.values, [7], "timers ignore a client timestamp")
    }

    func testStampedPointsAreNamedAsAFlushNamesThem() {
        var state = StatsdState(settings: StatsdSettings(), startupTime: 1_700_000_000)
        var parser = StatsdPacketParser(settings: state.settings)
        var table = AggregationTable()
        parser.parse("sold:3|c|T1700000000\nsold:2|c|T1700000000\ntemp:1|g|T1700000000\ntemp:4|g|T1700000000\nsold:1|c|T1700000010",
                     into: &table)
        state.absorb(&table)
        let output = state.flush(timestamp: 1_700_000_020, clock: { 0 })
        XCTAssertEqual(output.stampedDatapoints, [
            StatsdStampedDatapoint("stats.sold", 0.5, 1_700_000_000), StatsdStampedDatapoint("stats_counts.sold", 5, 1_700_000_000),
            StatsdStampedDatapoint("stats.gauges.temp", 4, 1_700_000_000),
            StatsdStampedDatapoint("stats.sold", 0.1, 1_700_000_010), StatsdStampedDatapoint("stats_counts.sold", 1, 1_700_000_010),
        ])
        XCTAssertTrue(output.plaintext().hasSuffix("stats.sold 0.1 1700000010\nstats_counts.sold 1 1700000010\n"))
        XCTAssertFalse(output.datapoints.contains { $0.name.contains("sold") || $0.name.contains("temp") })
        XCTAssertEqual(state.flush(timestamp: 1_700_000_030, clock: { 0 }).stampedDatapoints, [], "gone after its flush")
    }

    func testEvents() {
        var table = parse("_e{5,12}:Hello|line1\\nline2|d:1700000000|h:web1|p:low|t:warning|s:app|k:dep|#env:prod,canary|c:abc\n_e{2,0}:Hi|")
        XCTAssertEqual(table.internalCount(.eventsReceived), 2)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 0)
        XCTAssertEqual(table.extras.takeEvents(), [
            StatsdEvent(title: "Hello", text: "line1\nline2", timestamp: 1_700_000_000,
                        tags: ["env:prod", "canary", "host:web1", "priority:low", "alert_type:warning", "source:app", "aggregation_key:dep"]),
            StatsdEvent(title: "Hi", text: ""),
        ])
    }

    func testEventsAreMeasuredInUTF8Bytes() {
        var table = parse("_e{6,2}:héllo|ok")
        XCTAssertEqual(table.extras.takeEvents().map(\.title), ["héllo"])
    }

    func testServiceChecksAreGaugesUnderTheirPrefix() {
        let table = parse("_sc|db.up|2|h:db1|#role:primary|m:lag | high\n_sc|web|0")
        XCTAssertEqual(table.gauge("service_checks.db.up;role=primary;host=db1"), 2)
        XCTAssertEqual(table.gauge("service_checks.web"), 0)
        XCTAssertEqual(table.internalCount(.serviceChecksReceived), 2)
        let unprefixed = parse("_sc|web|1|d:1700000000") { $0.serviceCheckPrefix = "" }
        XCTAssertEqual(unprefixed.extras.stamped, [.init(kind: .gauge, key: "web", value: 1, timestamp: 1_700_000_000)])
    }

    /// Malformed DogStatsD lines are bad lines, counted as statsd counts them.
    func testMalformedLinesAreBadLines() {
        for line in ["_e{99,1}:x|y", "_e{1,1}x|y", "_e{0,1}:|y", "_sc|x|7", "_sc||1", "_sc|x", "x:1:two|c", "x:1|c|T12x",
                     "x:1|c|wat", "x:1:2|c|@0", "x:1:-2|ms"] {
            let table = parse(line)
            XCTAssertGreaterThan(table.internalCount(.badLinesSeen), 0, line)
            XCTAssertTrue(table.extras.isEmpty, line)
        }
    }

    /// Lines statsd accepts keep statsd's meaning, even where they look like DogStatsD.
    func testStatsdLinesKeepStatsdsMeaning() {
        let table = parse("""
            multi:1|c:2|ms:3|g
            rate:1|c|@0.5|anything
            tagged:1|c|#k:v|#more
            """)
        XCTAssertEqual(table.counter("multi"), 1)
        XCTAssertEqual(table.timer("multi")?.values, [2])
        XCTAssertEqual(table.gauge("multi"), 3)
        XCTAssertEqual(table.counter("rate"), 2)
        XCTAssertEqual(table.counter("tagged;k=v"), 1)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 0)
    }

    func testExtensionDetection() {
        func uses(_ line: String) -> Bool {
            var bytes = Array(line.utf8)
            return bytes.withUnsafeMutableBufferPointer { DogStatsdLine.usesExtensions($0.baseAddress!, $0.count) }
        }
        XCTAssertTrue(uses("a:1:2|c"))
        XCTAssertTrue(uses("a:1|c|T5"))
        XCTAssertTrue(uses("a:1|c|#t|c:x"))
        XCTAssertTrue(uses("_e{1,1}:a|b"))
        XCTAssertTrue(uses("_sc|a|0"))
        XCTAssertFalse(uses("a:1|c"))
        XCTAssertFalse(uses("a:1|c|@0.1|#k:v"))
        XCTAssertFalse(uses("a:1|c:2|ms|c:3"), "statsd's own segments")
        XCTAssertFalse(uses("no colon"))
    }
}
