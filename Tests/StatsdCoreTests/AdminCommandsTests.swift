import StatsdCore
import XCTest

/// docs/statsd.md §4: the admin interface's answers, byte for byte.
final class AdminCommandsTests: XCTestCase {
    private func respond(_ line: String, _ h: inout StatsdHarness, now: Int = 1_100) -> AdminResponse {
        AdminCommands.respond(toChunk: line, state: &h.state, now: now)
    }

    func testHelp() {
        var h = StatsdHarness()
        XCTAssertEqual(respond("help\n", &h).text,
                       "Commands: stats, counters, timers, gauges, sets, delcounters, deltimers, delgauges, delsets, health, config, quit\n\n")
    }

    func testUnknownCommandsAndCase() {
        var h = StatsdHarness()
        XCTAssertEqual(respond("HELP", &h).text, "ERROR\n")
        XCTAssertEqual(respond("bogus", &h).text, "ERROR\n")
        XCTAssertEqual(respond("\n", &h).text, "ERROR\n")
    }

    func testSeveralCommandsInOneChunk() {
        var h = StatsdHarness()
        let response = respond("health down\nhealth\nquit\nhelp\n", &h)
        XCTAssertEqual(response.text, "health: down\nhealth: down\n")
        XCTAssertTrue(response.closeConnection)
    }

    func testHealth() {
        var h = StatsdHarness()
        XCTAssertEqual(respond("health", &h).text, "health: up\n")
        XCTAssertEqual(respond("health DOWN", &h).text, "health: down\n")
        XCTAssertEqual(respond("health sideways", &h).text, "health: down\n")
        XCTAssertEqual(respond("health  up", &h).text, "health: down\n")
        XCTAssertEqual(respond("health Up", &h).text, "health: up\n")
    }

    func testQuit() {
        var h = StatsdHarness()
        XCTAssertEqual(respond("quit", &h), AdminResponse(text: "", closeConnection: true))
    }

    func testStats() {
        var h = StatsdHarness()
        h.send("bad\nworse")
        h.state.lastMessageSeen = 1_090
        _ = h.flush(at: 1_010)
        h.send("bad")
        h.state.lastMessageSeen = 1_095
        h.state.graphiteStatus = GraphiteStatus(lastException: 0, lastFlush: 1_080, flushTime: 2, flushLength: 512)
        XCTAssertEqual(respond("stats", &h).text, """
            uptime: 100
            messages.last_msg_seen: 5
            messages.bad_lines_seen: 3
            graphite.last_flush: 20
            graphite.last_exception: 1100
            graphite.flush_time: 2
            graphite.flush_length: 512
            END


            """)
    }

    func testCountersDumpMatchesNode() {
        var h = StatsdHarness()
        h.send("foo:1.5|c")
        XCTAssertEqual(respond("counters", &h).text,
                       "{\n  'statsd.bad_lines_seen': 0,\n  'statsd.packets_received': 1,\n  'statsd.metrics_received': 1,\n  foo: 1.5\n}\nEND\n\n")
    }

    func testTimersDumpMatchesNode() {
        var h = StatsdHarness()
        h.send("glork:320|ms\nglork:100|ms\nglork:200|ms\nmulti:3|ms")
        XCTAssertEqual(respond("timers", &h).text, "{ glork: [ 320, 100, 200 ], multi: [ 3 ] }\nEND\n\n")
    }

    func testGroupedArraysMatchNode() {
        let t = (1...20).map { NodeInspect.number(Double($0)) }
        let u = [0.5, 100, 2.25, 3, 4, 5, 6].map(NodeInspect.number)
        let text = NodeInspect.object([
            (key: "t", value: NodeInspect.array(t, indentation: 2, numeric: true)),
            (key: "u", value: NodeInspect.array(u, indentation: 2, numeric: true)),
        ])
        XCTAssertEqual(text, "{\n  t: [\n     1,  2,  3,  4,  5,  6,  7,\n     8,  9, 10, 11, 12, 13, 14,\n    15, 16, 17, 18, 19, 20\n  ],\n  u: [\n    0.5, 100, 2.25,\n      3,   4,    5,\n      6\n  ]\n}")
        let seven = NodeInspect.object([(key: "t", value: NodeInspect.array((1...7).map { NodeInspect.number(Double($0)) }, indentation: 2, numeric: true))])
        XCTAssertEqual(seven, "{\n  t: [\n    1, 2, 3, 4,\n    5, 6, 7\n  ]\n}")
        let strings = ["a", "bb", "ccc", "dddd", "e", "f", "g", "hhhhhhh"].map(NodeInspect.quoted)
        XCTAssertEqual(NodeInspect.object([(key: "s", value: NodeInspect.array(strings, indentation: 2, numeric: false))]),
                       "{ s: [ 'a', 'bb', 'ccc', 'dddd', 'e', 'f', 'g', 'hhhhhhh' ] }")
    }

    func testLongArrayMatchesNode() {
        let values = (0..<150).map { NodeInspect.number(Double($0 * 7)) }
        let text = NodeInspect.object([(key: "t", value: NodeInspect.array(values, indentation: 2, numeric: true))])
        XCTAssertEqual(text, "{\n  t: [\n      0,   7,  14,  21,  28,  35,  42,  49,  56,  63,  70,  77,\n     84,  91,  98, 105, 112, 119, 126, 133, 140, 147, 154, 161,\n    168, 175, 182, 189, 196, 203, 210, 217, 224, 231, 238, 245,\n    252, 259, 266, 273, 280, 287, 294, 301, 308, 315, 322, 329,\n    336, 343, 350, 357, 364, 371, 378, 385, 392, 399, 406, 413,\n    420, 427, 434, 441, 448, 455, 462, 469, 476, 483, 490, 497,\n    504, 511, 518, 525, 532, 539, 546, 553, 560, 567, 574, 581,\n    588, 595, 602, 609, 616, 623, 630, 637, 644, 651, 658, 665,\n    672, 679, 686, 693,\n    ... 50 more items\n  ]\n}")
    }

    func testGaugesDumpOrderAndSpecialNumbers() {
        var h = StatsdHarness()
        h.send("x:Infinity|g\nx:-Infinity|g\na.b:1|g\n5:-0|g")
        XCTAssertEqual(respond("gauges", &h).text, "{ '5': -0, x: NaN, 'a.b': 1 }\nEND\n\n")
        XCTAssertEqual(NodeInspect.object([]), "{}")
    }

    func testSetsDump() {
        var h = StatsdHarness()
        h.send("s:b|s\ns:a|s")
        XCTAssertEqual(respond("sets", &h).text, "{ s: [ 'a', 'b' ] }\nEND\n\n")
    }

    func testDeleteCommands() {
        var h = StatsdHarness()
        h.send("a.x:1|c\na.y.z:1|c\nab:1|c\nt:1|ms\ng:1|g\ns:1|s")
        XCTAssertEqual(respond("delcounters a.* nothing ab", &h).text,
                       "deleted: a.x\ndeleted: a.y.z\nmetric nothing not found\ndeleted: ab\nEND\n\n")
        XCTAssertEqual(h.state.table.counters.map(\.name),
                       ["statsd.bad_lines_seen", "statsd.packets_received", "statsd.metrics_received"])
        XCTAssertEqual(respond("deltimers t", &h).text, "deleted: t\nEND\n\n")
        XCTAssertNil(h.state.table.timer("t"))
        XCTAssertEqual(respond("delgauges g g", &h).text, "deleted: g\nmetric g not found\nEND\n\n")
        XCTAssertEqual(respond("delsets s", &h).text, "deleted: s\nEND\n\n")
        XCTAssertEqual(respond("delcounters", &h).text, "END\n\n")
        XCTAssertEqual(h.state.table.keyCount, 3)
    }

    func testConfig() {
        var settings = StatsdSettings()
        settings.percentThreshold = [90, -99.5]
        settings.histogram = [HistogramRule(metric: "", bins: [.infinity])]
        var state = StatsdState(settings: settings, startupTime: 0)
        state.extraConfig = [(name: "port", value: "8125")]
        let text = AdminCommands.respond(toLine: "config", state: &state, now: 0).text
        XCTAssertEqual(text, """

            flushInterval: 10000
            percentThreshold > 0: 90
            percentThreshold > 1: -99.5
            histogram > 0: [object Object]
            deleteIdleStats: false
            deleteCounters: false
            deleteTimers: false
            deleteGauges: false
            deleteSets: false
            gaugesMaxTTL: 1
            flush_counts: true
            prefixStats: statsd
            keyNameSanitize: true
            healthStatus: up
            maxLineLength: 65536
            maxKeysPerInterval: 1000000
            port: 8125
            graphite > legacyNamespace: true
            graphite > globalPrefix: stats
            graphite > prefixCounter: counters
            graphite > prefixTimer: timers
            graphite > prefixGauge: gauges
            graphite > prefixSet: sets

            """)
    }
}
