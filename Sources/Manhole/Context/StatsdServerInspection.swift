import ManholeLanguage
import StatsdCore
import StatsdNetwork

/// The manhole's view of a running StatsdServer: pending values read under statsd's state lock
/// (held only to copy the matching entries), and `flush()` as the flush timer would run it.
public struct StatsdServerInspection: StatsdInspection {
    public let server: StatsdServer

    public init(server: StatsdServer) {
        self.server = server
    }

    public func pendingCounters(matching pattern: MetricGlob) -> [(name: String, value: Double)] {
        server.withState { state in
            if let name = pattern.literalName { return state.table.counter(name).map { [(name, $0)] } ?? [] }
            return state.table.counters.filter { pattern.matches($0.name) }
        }
    }

    public func pendingTimers(matching pattern: MetricGlob) -> [(name: String, values: [Double])] {
        server.withState { state in
            if let name = pattern.literalName { return state.table.timer(name).map { [(name, $0.values)] } ?? [] }
            return state.table.timers.filter { pattern.matches($0.name) }.map { ($0.name, $0.values) }
        }
    }

    public func pendingGauges(matching pattern: MetricGlob) -> [(name: String, value: Double)] {
        server.withState { state in
            if let name = pattern.literalName { return state.table.gauge(name).map { [(name, $0)] } ?? [] }
            return state.table.gauges.filter { pattern.matches($0.name) }
        }
    }

    public func pendingSets(matching pattern: MetricGlob) -> [(name: String, members: [String])] {
        server.withState { state in
            if let name = pattern.literalName { return state.table.setMembers(name).map { [(name, Array($0))] } ?? [] }
            return state.table.sets.filter { pattern.matches($0.name) }.map { ($0.name, Array($0.members)) }
        }
    }

    public func flush() throws -> String {
        let output = server.flush()
        return "flushed \(output.numStats) stats as \(output.datapoints.count) datapoints at \(output.timestamp)"
    }
}
