import StatsdCore
import XCTest

/// Several reader tables merged into one state give what one reader would have given.
final class AggregationMergeTests: XCTestCase {
    func testMergeOfTwoReaders() {
        let settings = StatsdSettings()
        var state = StatsdState(settings: settings, startupTime: 0)
        var parserA = StatsdPacketParser(settings: settings)
        var parserB = StatsdPacketParser(settings: settings)
        var a = AggregationTable(), b = AggregationTable()
        parserA.parse("c:1|c\nt:1|ms\ng:5|g\ns:x|s\nbad", into: &a)
        parserB.parse("c:2|c\nt:2|ms|@0.5\ng:+3|g\ns:y|s\nn:1|c", into: &b)
        a.lastMessageSeen = 40
        b.lastMessageSeen = 42
        state.absorb(&a)
        state.absorb(&b)
        XCTAssertEqual(a.keyCount, 0)
        XCTAssertEqual(state.table.counter("c"), 3)
        XCTAssertEqual(state.table.timer("t")?.values, [1, 2])
        XCTAssertEqual(state.table.timer("t")?.count, 3)
        XCTAssertEqual(state.table.gauge("g"), 8)
        XCTAssertEqual(state.table.setMembers("s"), ["x", "y"])
        XCTAssertEqual(state.table.counter("statsd.packets_received"), 2)
        XCTAssertEqual(state.table.counter("statsd.metrics_received"), 10)
        XCTAssertEqual(state.table.counter("statsd.bad_lines_seen"), 1)
        XCTAssertEqual(state.badLinesSeenTotal, 1)
        XCTAssertEqual(state.lastMessageSeen, 42)
        XCTAssertEqual(state.table.counters.map(\.name),
                       ["statsd.bad_lines_seen", "statsd.packets_received", "statsd.metrics_received", "c", "n"])
    }

    func testSignedGaugeSequenceResolvesExactlyAgainstPriorValue() {
        let settings = StatsdSettings()
        var store = AggregationTable()
        store.setGauge("g", -3)
        var reader = AggregationTable()
        var parser = StatsdPacketParser(settings: settings)
        // -3 +3 = 0 (falsy), so the following +5 sets 5, then -1 -> 4.
        parser.parse("g:+3|g\ng:+5|g\ng:-1|g", into: &reader)
        store.merge(reader, settings: settings)
        XCTAssertEqual(store.gauge("g"), 4)
    }

    func testUnsignedGaugeInReaderOverridesPrior() {
        let settings = StatsdSettings()
        var store = AggregationTable()
        store.setGauge("g", 100)
        var reader = AggregationTable()
        var parser = StatsdPacketParser(settings: settings)
        parser.parse("g:+1|g\ng:7|g\ng:+2|g", into: &reader)
        store.merge(reader, settings: settings)
        XCTAssertEqual(store.gauge("g"), 9)
    }

    func testMergeRespectsKeyLimitAndCountsDrops() {
        var settings = StatsdSettings()
        settings.maxKeysPerInterval = 5
        var state = StatsdState(settings: settings, startupTime: 0)
        var reader = AggregationTable()
        var parser = StatsdPacketParser(settings: settings)
        parser.parse("a:1|c\nb:1|c\nc:1|c\nd:1|c", into: &reader)
        state.absorb(&reader)
        XCTAssertEqual(state.table.counter("a"), 1)
        XCTAssertEqual(state.table.counter("b"), 1)
        XCTAssertNil(state.table.counter("c"))
        // keys_over_limit is Stoker's own counter: created on first use, so it takes the limit's
        // place rather than being counted against it.
        XCTAssertEqual(state.table.counter("statsd.keys_over_limit"), 2)
    }

    func testDeletedInternalCounterBecomesNaN() {
        var h = StatsdHarness()
        _ = AdminCommands.respond(toLine: "delcounters statsd.packets_received", state: &h.state, now: 1_000)
        h.send("a:1|c")
        XCTAssertTrue(h.state.table.counter("statsd.packets_received")?.isNaN ?? false)
        let first = h.flushMap(at: 2_000)
        XCTAssertTrue(first["stats_counts.statsd.packets_received"]?.isNaN ?? false)
        h.send("a:1|c")
        XCTAssertEqual(h.flushMap(at: 2_010)["stats_counts.statsd.packets_received"], 1)
    }
}
