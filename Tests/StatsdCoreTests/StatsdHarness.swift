import StatsdCore
import XCTest

/// Drives the pure statsd pipeline the way the daemon will: packets parsed into a reader table,
/// absorbed into the state, flushed with a clock that never moves (processing and calculation
/// times are 0).
struct StatsdHarness {
    var state: StatsdState
    var parser: StatsdPacketParser
    var reader: AggregationTable

    init(_ configure: (inout StatsdSettings) -> Void = { _ in }) {
        var settings = StatsdSettings()
        configure(&settings)
        state = StatsdState(settings: settings, startupTime: 1_000)
        parser = StatsdPacketParser(settings: settings)
        reader = AggregationTable(maxKeys: settings.maxKeysPerInterval)
    }

    /// Each string is one packet (a datagram).
    mutating func send(_ packets: String...) {
        for packet in packets { parser.parse(packet, into: &reader) }
        state.absorb(&reader)
    }

    mutating func sendBytes(_ packet: [UInt8]) {
        parser.parse(packet, into: &reader)
        state.absorb(&reader)
    }

    mutating func flush(at timestamp: Int = 2_000) -> StatsdFlushOutput {
        state.absorb(&reader)
        return state.flush(timestamp: timestamp, clock: { 0 })
    }

    /// One flush as name -> value (names are unique within a flush).
    mutating func flushMap(at timestamp: Int = 2_000) -> [String: Double] {
        var map: [String: Double] = [:]
        for point in flush(at: timestamp).datapoints {
            XCTAssertNil(map[point.name], "duplicate name \(point.name)")
            map[point.name] = point.value
        }
        return map
    }

    /// Only the datapoints whose name starts with one of the prefixes, as `name value` lines in
    /// flush order.
    mutating func lines(at timestamp: Int = 2_000, _ prefixes: String...) -> [String] {
        flush(at: timestamp).datapoints
            .filter { point in prefixes.contains { point.name.hasPrefix($0) } }
            .map(\.description)
    }
}

/// The 13 lines an idle default daemon flushes, with the given internal counter values.
func idleLines(bad: Double = 0, packets: Double = 0, metrics: Double = 0, numStats: Int = 3) -> [String: Double] {
    [
        "stats.statsd.bad_lines_seen": bad / 10, "stats_counts.statsd.bad_lines_seen": bad,
        "stats.statsd.packets_received": packets / 10, "stats_counts.statsd.packets_received": packets,
        "stats.statsd.metrics_received": metrics / 10, "stats_counts.statsd.metrics_received": metrics,
        "statsd.numStats": Double(numStats),
        "stats.statsd.graphiteStats.calculationtime": 0,
        "stats.statsd.processing_time": 0,
        "stats.statsd.graphiteStats.last_exception": 0,
        "stats.statsd.graphiteStats.last_flush": 1_000,
        "stats.statsd.graphiteStats.flush_time": 0,
        "stats.statsd.graphiteStats.flush_length": 0,
    ]
}
