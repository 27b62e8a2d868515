import Logging
import StatsdCore
import StatsdNetwork
import XCTest
@testable import Manhole
@testable import ManholeLanguage

final class StatsdServerInspectionTests: XCTestCase {
    /// Never started (no sockets) and kept for the process's life.
    static let server = StatsdServer(settings: StatsdServerSettings(), logger: Logger(label: "statsd-test"),
                                      sink: { _ in })

    func testPendingValuesAndFlush() throws {
        let server = Self.server
        server.withState { state in
            state.table.addCounter("api.hits", 3)
            state.table.addCounter("api.hits", 2)
            state.table.addCounter("db.calls", 1)
            state.table.addTimer("api.latency", 12)
            state.table.addTimer("api.latency", 8)
            state.table.setGauge("temp.room", 21.5)
            state.table.addSetMember("api.users", "ann")
            state.table.addSetMember("api.users", "bob")
        }
        let inspection = StatsdServerInspection(server: server)
        XCTAssertEqual(inspection.pendingCounters(matching: MetricGlob("api.*")).map(\.name), ["api.hits"])
        XCTAssertEqual(inspection.pendingCounters(matching: MetricGlob("api.hits")).first?.value, 5)
        XCTAssertEqual(inspection.pendingTimers(matching: MetricGlob("api.latency")).first?.values.sorted(), [8, 12])
        XCTAssertEqual(inspection.pendingGauges(matching: MetricGlob("temp.*")).first?.value, 21.5)
        XCTAssertEqual(inspection.pendingSets(matching: MetricGlob("*.users")).first?.members.sorted(), ["ann", "bob"])
        XCTAssertTrue(try inspection.flush().hasPrefix("flushed "))
        XCTAssertEqual(inspection.pendingCounters(matching: MetricGlob("api.hits")).first?.value ?? 0, 0, "a flush resets counters")
    }
}
