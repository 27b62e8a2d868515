import StatsdCore
import XCTest

/// docs/statsd.md §3.1-3.4: derived values, names, order and internal metrics of one flush.
final class FlushMathsTests: XCTestCase {
    func testIdleDaemonEmitsThirteenLinesThenFourteen() {
        var h = StatsdHarness()
        let first = h.flush(at: 2_000)
        XCTAssertEqual(first.datapoints.count, 13)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: first.datapoints.map { ($0.name, $0.value) }), idleLines())
        let second = h.flushMap(at: 2_011)
        var expected = idleLines(numStats: 4)
        expected["stats.gauges.statsd.timestamp_lag"] = 1
        XCTAssertEqual(second, expected)
    }

    func testOutputOrderOfIdleFlush() {
        var h = StatsdHarness()
        XCTAssertEqual(h.flush().datapoints.map(\.name), [
            "stats.statsd.bad_lines_seen", "stats_counts.statsd.bad_lines_seen",
            "stats.statsd.packets_received", "stats_counts.statsd.packets_received",
            "stats.statsd.metrics_received", "stats_counts.statsd.metrics_received",
            "statsd.numStats", "stats.statsd.graphiteStats.calculationtime", "stats.statsd.processing_time",
            "stats.statsd.graphiteStats.last_exception", "stats.statsd.graphiteStats.last_flush",
            "stats.statsd.graphiteStats.flush_time", "stats.statsd.graphiteStats.flush_length",
        ])
    }

    func testTimestampLagFractionalInterval() {
        var h = StatsdHarness { $0.flushInterval = 2_500 }
        _ = h.flush(at: 100)
        XCTAssertEqual(h.flushMap(at: 103)["stats.gauges.statsd.timestamp_lag"], 0.5)
    }

    func testCounterRateAndCount() {
        var h = StatsdHarness()
        h.send("a:5|c\na:2|c|@0.5", "bad")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.a"], 0.9)
        XCTAssertEqual(map["stats_counts.a"], 9)
        XCTAssertEqual(map["stats_counts.statsd.packets_received"], 2)
        XCTAssertEqual(map["stats_counts.statsd.metrics_received"], 3)
        XCTAssertEqual(map["stats_counts.statsd.bad_lines_seen"], 1)
        XCTAssertEqual(map["stats.statsd.bad_lines_seen"], 0.1)
        XCTAssertEqual(map["statsd.numStats"], 4)
    }

    func testZeroSampleRateIsBadNotInfinity() {
        var h = StatsdHarness()
        h.send("a:1|c|@0")
        let map = h.flushMap()
        XCTAssertNil(map["stats.a"])
        XCTAssertEqual(map["stats_counts.statsd.bad_lines_seen"], 1)
    }

    func testFlushCountsOff() {
        var h = StatsdHarness { $0.flushCounts = false }
        h.send("a:5|c")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.a"], 0.5)
        XCTAssertNil(map["stats_counts.a"])
        XCTAssertFalse(map.keys.contains { $0.hasPrefix("stats_counts.") })
    }

    func testTimerStatisticsTenValues() {
        var h = StatsdHarness()
        h.send((1...10).reversed().map { "t:\($0)|ms" }.joined(separator: "\n"))
        XCTAssertEqual(h.lines("stats.timers.t."), [
            "stats.timers.t.count_90 9", "stats.timers.t.mean_90 5", "stats.timers.t.upper_90 9",
            "stats.timers.t.sum_90 45", "stats.timers.t.sum_squares_90 285",
            "stats.timers.t.std 2.8722813232690143", "stats.timers.t.upper 10", "stats.timers.t.lower 1",
            "stats.timers.t.count 10", "stats.timers.t.count_ps 1", "stats.timers.t.sum 55",
            "stats.timers.t.sum_squares 385", "stats.timers.t.mean 5.5", "stats.timers.t.median 5.5",
        ])
    }

    func testTimerSequentialFloatSums() {
        var h = StatsdHarness { $0.percentThreshold = [] }
        h.send("f:0.3|ms\nf:0.1|ms\nf:0.2|ms|@0.5")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.timers.f.sum"], 0.6000000000000001)
        XCTAssertEqual(map["stats.timers.f.sum_squares"], 0.14)
        XCTAssertEqual(map["stats.timers.f.mean"], 0.20000000000000004)
        XCTAssertEqual(map["stats.timers.f.std"], 0.0816496580927726)
        XCTAssertEqual(map["stats.timers.f.median"], 0.2)
        XCTAssertEqual(map["stats.timers.f.count"], 4)
        XCTAssertEqual(map["stats.timers.f.count_ps"], 0.4)
        XCTAssertNil(map["stats.timers.f.count_90"])
    }

    func testPercentileRoundingAndSuffixes() {
        var h = StatsdHarness { $0.percentThreshold = [95, 99.9, -10, 0.5, -99.5, 50] }
        h.send((1...10).map { "t:\($0)|ms" }.joined(separator: "\n"))
        let map = h.flushMap()
        // 0.95 * 10 = 9.5 -> 10.
        XCTAssertEqual(map["stats.timers.t.count_95"], 10)
        XCTAssertEqual(map["stats.timers.t.upper_95"], 10)
        XCTAssertEqual(map["stats.timers.t.count_99_9"], 10)
        XCTAssertEqual(map["stats.timers.t.count_top10"], 1)
        XCTAssertEqual(map["stats.timers.t.lower_top10"], 10)
        XCTAssertEqual(map["stats.timers.t.mean_top10"], 10)
        XCTAssertEqual(map["stats.timers.t.sum_top10"], 10)
        XCTAssertEqual(map["stats.timers.t.sum_squares_top10"], 100)
        // 0.5 % of 10 rounds to 0: the whole group is omitted.
        XCTAssertNil(map["stats.timers.t.count_0_5"])
        XCTAssertNil(map["stats.timers.t.mean_0_5"])
        // -99.5 covers every value: Stoker gives the true sum and mean instead of NaN.
        XCTAssertEqual(map["stats.timers.t.count_top99_5"], 10)
        XCTAssertEqual(map["stats.timers.t.lower_top99_5"], 1)
        XCTAssertEqual(map["stats.timers.t.sum_top99_5"], 55)
        XCTAssertEqual(map["stats.timers.t.mean_top99_5"], 5.5)
        XCTAssertEqual(map["stats.timers.t.sum_squares_top99_5"], 385)
        XCTAssertEqual(map["stats.timers.t.count_50"], 5)
        XCTAssertEqual(map["stats.timers.t.upper_50"], 5)
        XCTAssertEqual(map["stats.timers.t.sum_50"], 15)
        XCTAssertEqual(map["stats.timers.t.mean_50"], 3)
    }

    func testNegativePercentileWholeRangeTwoValues() {
        var h = StatsdHarness { $0.percentThreshold = [-90] }
        h.send("t:4|ms\nt:2|ms")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.timers.t.count_top90"], 2)
        XCTAssertEqual(map["stats.timers.t.lower_top90"], 2)
        XCTAssertEqual(map["stats.timers.t.sum_top90"], 6)
        XCTAssertEqual(map["stats.timers.t.mean_top90"], 3)
        XCTAssertEqual(map["stats.timers.t.sum_squares_top90"], 20)
    }

    func testSingleValueEmitsEveryPercentile() {
        var h = StatsdHarness { $0.percentThreshold = [90, 0, 0.001, -5] }
        h.send("t:7|ms")
        XCTAssertEqual(h.lines("stats.timers.t."), [
            "stats.timers.t.count_90 1", "stats.timers.t.mean_90 7", "stats.timers.t.upper_90 7",
            "stats.timers.t.sum_90 7", "stats.timers.t.sum_squares_90 49",
            "stats.timers.t.count_0 1", "stats.timers.t.mean_0 7", "stats.timers.t.lower_0 7",
            "stats.timers.t.sum_0 7", "stats.timers.t.sum_squares_0 49",
            "stats.timers.t.count_0_001 1", "stats.timers.t.mean_0_001 7", "stats.timers.t.upper_0_001 7",
            "stats.timers.t.sum_0_001 7", "stats.timers.t.sum_squares_0_001 49",
            "stats.timers.t.count_top5 1", "stats.timers.t.mean_top5 7", "stats.timers.t.lower_top5 7",
            "stats.timers.t.sum_top5 7", "stats.timers.t.sum_squares_top5 49",
            "stats.timers.t.std 0", "stats.timers.t.upper 7", "stats.timers.t.lower 7",
            "stats.timers.t.count 1", "stats.timers.t.count_ps 0.1", "stats.timers.t.sum 7",
            "stats.timers.t.sum_squares 49", "stats.timers.t.mean 7", "stats.timers.t.median 7",
        ])
    }

    func testMedianOddAndEven() {
        var h = StatsdHarness { $0.percentThreshold = [] }
        h.send("o:5|ms\no:1|ms\no:3|ms\ne:1|ms\ne:2|ms\ne:10|ms\ne:4|ms")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.timers.o.median"], 3)
        XCTAssertEqual(map["stats.timers.e.median"], 3)
    }

    func testEmptyTimerAfterResetEmitsCountPSThenCount() {
        var h = StatsdHarness()
        h.send("t:1|ms")
        _ = h.flush(at: 2_000)
        XCTAssertEqual(h.lines(at: 2_010, "stats.timers."), ["stats.timers.t.count_ps 0", "stats.timers.t.count 0"])
    }

    func testHistogram() {
        var h = StatsdHarness {
            $0.histogram = [
                HistogramRule(metric: "nohist", bins: []),
                HistogramRule(metric: "foo", bins: [.bound(0.5), .bound(2.25), .bound(10), .infinity]),
                HistogramRule(metric: "", bins: [.bound(1), .bound(3)]),
            ]
            $0.percentThreshold = []
        }
        h.send("a.foo.b:0.1|ms\na.foo.b:0.5|ms\na.foo.b:2|ms\na.foo.b:10|ms\na.foo.b:50|ms",
               "bar:0|ms\nbar:1|ms\nbar:2|ms\nbar:3|ms\nbar:4|ms", "x.nohist:1|ms")
        let lines = h.lines("stats.timers.")
        XCTAssertEqual(Array(lines.filter { $0.hasPrefix("stats.timers.a.foo.b.") }.suffix(4)), [
            "stats.timers.a.foo.b.histogram.bin_0_5 1", "stats.timers.a.foo.b.histogram.bin_2_25 2",
            "stats.timers.a.foo.b.histogram.bin_10 0", "stats.timers.a.foo.b.histogram.bin_inf 2",
        ])
        // Values at or above the last finite bound with no `inf` are not counted.
        XCTAssertEqual(Array(lines.filter { $0.hasPrefix("stats.timers.bar.") }.suffix(2)), [
            "stats.timers.bar.histogram.bin_1 1", "stats.timers.bar.histogram.bin_3 2",
        ])
        XCTAssertEqual(lines.filter { $0.contains("nohist") && $0.contains("histogram") }, [])
        XCTAssertEqual(lines.filter { $0.hasPrefix("stats.timers.x.nohist.") }.count, 9)
    }

    func testCalculatedTimerMetrics() {
        var h = StatsdHarness {
            $0.calculatedTimerMetrics = ["count", "mean_percent", "upper", "histogram"]
            $0.percentThreshold = [90, 99.9, -50]
            $0.histogram = [HistogramRule(metric: "", bins: [.infinity])]
        }
        h.send("t:1|ms\nt:2|ms")
        XCTAssertEqual(h.lines("stats.timers."), [
            "stats.timers.t.mean_90 1.5", "stats.timers.t.mean_top50 2",
            "stats.timers.t.upper 2", "stats.timers.t.count 2", "stats.timers.t.histogram.bin_inf 2",
        ])
    }

    func testGaugesAndSets() {
        var h = StatsdHarness()
        h.send("g:5|g\ng:+3|g", "s:a|s\ns:b|s\ns:a|s")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.gauges.g"], 8)
        XCTAssertEqual(map["stats.sets.s.count"], 2)
        XCTAssertEqual(map["statsd.numStats"], 5)
    }

    func testLegacyNamesWithSuffixAndTags() {
        var h = StatsdHarness { $0.globalSuffix = "host1" }
        h.send("c:1|c|#tag:v\nt6;env=prod:5|ms\ng:1|g|#a:b\ns:1|s|#x")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.c.host1;tag=v"], 0.1)
        XCTAssertEqual(map["stats_counts.c.host1;tag=v"], 1)
        XCTAssertEqual(map["stats.timers.t6.count_90.host1;env=prod"], 1)
        XCTAssertEqual(map["stats.gauges.g.host1;a=b"], 1)
        XCTAssertEqual(map["stats.sets.s.count.host1;x"], 1)
        XCTAssertEqual(map["statsd.numStats.host1"], 7)
        XCTAssertEqual(map["stats.statsd.processing_time.host1"], 0)
        XCTAssertEqual(map["stats.statsd.graphiteStats.calculationtime.host1"], 0)
        XCTAssertEqual(map["stats.statsd.graphiteStats.flush_length.host1"], 0)
    }

    func testEmptySuffixStillAddsDot() {
        var h = StatsdHarness { $0.globalSuffix = "" }
        h.send("c:1|c")
        XCTAssertEqual(h.flushMap()["stats.c."], 0.1)
    }

    func testNewNamespaceDefaults() {
        var h = StatsdHarness { $0.legacyNamespace = false }
        h.send("k:2|c|#tag:v\nt:1|ms\ng:3|g\ns:x|s")
        let map = h.flushMap()
        XCTAssertEqual(map["stats.counters.k.rate;tag=v"], 0.2)
        XCTAssertEqual(map["stats.counters.k.count;tag=v"], 2)
        XCTAssertEqual(map["stats.timers.t.upper"], 1)
        XCTAssertEqual(map["stats.gauges.g"], 3)
        XCTAssertEqual(map["stats.sets.s.count"], 1)
        XCTAssertEqual(map["stats.statsd.numStats"], 7)
        XCTAssertEqual(map["stats.statsd.graphiteStats.calculationtime"], 0)
        XCTAssertEqual(map["stats.statsd.processing_time"], 0)
        XCTAssertEqual(map["stats.statsd.graphiteStats.last_flush"], 1_000)
        XCTAssertEqual(map["stats.counters.statsd.bad_lines_seen.rate"], 0)
        XCTAssertEqual(map["stats.counters.statsd.packets_received.count"], 1)
    }

    func testNewNamespaceCustomAndEmptyPrefixes() {
        var h = StatsdHarness {
            $0.legacyNamespace = false
            $0.globalPrefix = ""
            $0.prefixCounter = "C"
            $0.prefixTimer = ""
            $0.prefixGauge = "G"
            $0.prefixSet = "S"
            $0.prefixStats = "me"
            $0.globalSuffix = "sfx"
            $0.percentThreshold = []
        }
        h.send("k:1|c\nt:1|ms\ng:1|g\ns:1|s")
        let map = h.flushMap()
        XCTAssertEqual(map["C.k.rate.sfx"], 0.1)
        XCTAssertEqual(map["C.k.count.sfx"], 1)
        XCTAssertEqual(map["t.upper.sfx"], 1)
        XCTAssertEqual(map["G.g.sfx"], 1)
        XCTAssertEqual(map["S.s.count.sfx"], 1)
        XCTAssertEqual(map["me.numStats.sfx"], 7)
        XCTAssertEqual(map["me.graphiteStats.calculationtime.sfx"], 0)
        XCTAssertEqual(map["me.processing_time.sfx"], 0)
        XCTAssertEqual(map["me.graphiteStats.last_exception.sfx"], 0)
        XCTAssertEqual(map["C.me.packets_received.count.sfx"], 1)
    }

    func testLegacyIgnoresTypePrefixes() {
        var h = StatsdHarness { $0.prefixCounter = "C"; $0.globalPrefix = "G" }
        h.send("k:1|c")
        XCTAssertEqual(h.flushMap()["stats.k"], 0.1)
    }

    func testEmptyKeyAndEmptyPrefixStats() {
        var h = StatsdHarness { $0.prefixStats = "" }
        h.send(":1|c")
        let map = h.flushMap()
        XCTAssertEqual(map["stats."], 0.1)
        XCTAssertEqual(map["stats_counts."], 1)
        XCTAssertEqual(map["stats..bad_lines_seen"], 0)
        XCTAssertEqual(map[".numStats"], 4)
        XCTAssertEqual(map["stats..graphiteStats.flush_time"], 0)
    }

    func testSanitiseOnOutputWhenInputSanitisingIsOff() {
        var h = StatsdHarness { $0.keyNameSanitize = false }
        h.send("a b:1|c", "a_b:2|c", "x y:1|c|#t:a b")
        let points = h.flush().datapoints.filter { $0.name.hasPrefix("stats_counts.") && !$0.name.contains("statsd") }
        // Distinct keys collide after output sanitising; tags are not cleaned.
        XCTAssertEqual(points.map(\.description), ["stats_counts.a_b 1", "stats_counts.a_b 2", "stats_counts.x_y;t=a b 1"])
    }

    func testJavaScriptPropertyOrder() {
        var h = StatsdHarness { $0.prefixStats = "zz" }
        h.send("b:1|c\n10:1|c\na:1|c\n2:1|c\n01:1|c\n4294967295:1|c\n4294967294:1|c")
        let names = h.flush().datapoints.map(\.name).filter { $0.hasPrefix("stats_counts.") }
        XCTAssertEqual(names, [
            "stats_counts.2", "stats_counts.10", "stats_counts.4294967294",
            "stats_counts.zz.bad_lines_seen", "stats_counts.zz.packets_received", "stats_counts.zz.metrics_received",
            "stats_counts.b", "stats_counts.a", "stats_counts.01", "stats_counts.4294967295",
        ])
    }

    func testGraphiteStatusLines() {
        var h = StatsdHarness()
        h.state.graphiteStatus = GraphiteStatus(lastException: 0, lastFlush: 1_990, flushTime: 3, flushLength: 1234)
        let map = h.flushMap()
        XCTAssertEqual(map["stats.statsd.graphiteStats.last_flush"], 1_990)
        XCTAssertEqual(map["stats.statsd.graphiteStats.flush_time"], 3)
        XCTAssertEqual(map["stats.statsd.graphiteStats.flush_length"], 1234)
    }

    func testProcessingAndCalculationTimesUseTheClock() {
        var table = AggregationTable()
        table.addCounter("a", 1)
        var ticks = 0.0
        let output = StatsdFlushMaths.process(table, settings: StatsdSettings(), timestamp: 5,
                                              graphiteStatus: GraphiteStatus(startupTime: 0),
                                              clock: { ticks += 7.9; return ticks })
        // Clock readings 7.9 and 15.8 -> 15 - 7 = 8 ms; then 23.7 and 31.6 -> 31 - 23 = 8 ms.
        XCTAssertEqual(output.processingTime, 8)
        XCTAssertEqual(output.calculationTime, 8)
        XCTAssertEqual(output.timestamp, 5)
        XCTAssertEqual(output.numStats, 1)
    }
}
