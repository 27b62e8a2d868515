import StatsdCore
import XCTest

/// docs/statsd.md §3.5: what is kept, reset and deleted between flushes.
final class BetweenFlushTests: XCTestCase {
    func testDefaultsKeepEveryKey() {
        var h = StatsdHarness()
        h.send("c:3|c\nt:1|ms\ng:5|g\ns:a|s")
        _ = h.flush(at: 2_000)
        let map = h.flushMap(at: 2_010)
        XCTAssertEqual(map["stats.c"], 0)
        XCTAssertEqual(map["stats_counts.c"], 0)
        XCTAssertEqual(map["stats.timers.t.count"], 0)
        XCTAssertEqual(map["stats.timers.t.count_ps"], 0)
        XCTAssertNil(map["stats.timers.t.upper"])
        XCTAssertEqual(map["stats.gauges.g"], 5)
        XCTAssertEqual(map["stats.sets.s.count"], 0)
        XCTAssertEqual(map["stats_counts.statsd.packets_received"], 0)
    }

    func testDeleteIdleStatsDeletesAllButInternalCounters() {
        var h = StatsdHarness { $0.deleteIdleStats = true }
        h.send("c:3|c\nmy.packets_received.x:1|c\nt:1|ms\ng:5|g\ns:a|s")
        let first = h.flushMap(at: 2_000)
        XCTAssertEqual(first["stats.gauges.g"], 5)
        let second = h.flushMap(at: 2_010)
        XCTAssertNil(second["stats.c"])
        XCTAssertEqual(second["stats_counts.my.packets_received.x"], 0)
        XCTAssertNil(second["stats.timers.t.count"])
        XCTAssertNil(second["stats.gauges.g"])
        XCTAssertNil(second["stats.sets.s.count"])
        XCTAssertEqual(second["stats_counts.statsd.bad_lines_seen"], 0)
        // 3 internal counters + the user key containing packets_received + timestamp_lag.
        XCTAssertEqual(second["statsd.numStats"], 5)
    }

    func testExplicitOptionOverridesDeleteIdleStats() {
        var h = StatsdHarness { $0.deleteIdleStats = true; $0.deleteCounters = false }
        h.send("c:3|c\nt:1|ms")
        _ = h.flush(at: 2_000)
        let map = h.flushMap(at: 2_010)
        XCTAssertEqual(map["stats_counts.c"], 0)
        XCTAssertNil(map["stats.timers.t.count"])
    }

    func testGaugeTTL() {
        var h = StatsdHarness { $0.deleteGauges = true; $0.gaugesMaxTTL = 3 }
        h.send("g:5|g")
        XCTAssertEqual(h.flushMap(at: 2_000)["stats.gauges.g"], 5)
        XCTAssertEqual(h.flushMap(at: 2_010)["stats.gauges.g"], 5)
        h.send("g:+1|g")
        XCTAssertEqual(h.flushMap(at: 2_020)["stats.gauges.g"], 6)
        XCTAssertEqual(h.flushMap(at: 2_030)["stats.gauges.g"], 6)
        XCTAssertEqual(h.flushMap(at: 2_040)["stats.gauges.g"], 6)
        XCTAssertNil(h.flushMap(at: 2_050)["stats.gauges.g"])
        // A deleted gauge receiving +1 becomes 1; timestamp_lag never expires.
        h.send("g:+1|g")
        let map = h.flushMap(at: 2_060)
        XCTAssertEqual(map["stats.gauges.g"], 1)
        XCTAssertEqual(map["stats.gauges.statsd.timestamp_lag"], 0)
    }

    func testGaugeTTLDefaultIsOneFlush() {
        var h = StatsdHarness { $0.deleteGauges = true; $0.gaugesMaxTTL = 0 }
        h.send("g:5|g")
        XCTAssertEqual(h.flushMap(at: 2_000)["stats.gauges.g"], 5)
        XCTAssertNil(h.flushMap(at: 2_010)["stats.gauges.g"])
    }

    func testSignedGaugeAcrossFlushesAddsToKeptValue() {
        var h = StatsdHarness()
        h.send("g:5|g")
        _ = h.flush(at: 2_000)
        h.send("g:-2|g")
        XCTAssertEqual(h.flushMap(at: 2_010)["stats.gauges.g"], 3)
    }

    func testCountersResetToZeroThenCountAgain() {
        var h = StatsdHarness()
        h.send("c:3|c")
        _ = h.flush(at: 2_000)
        h.send("c:4|c")
        XCTAssertEqual(h.flushMap(at: 2_010)["stats_counts.c"], 4)
    }
}
