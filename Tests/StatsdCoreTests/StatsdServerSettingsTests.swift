import Foundation
import XCTest
@testable import StatsdCore

final class StatsdServerSettingsTests: XCTestCase {
    func testStatsdOptionNames() throws {
        let (s, warnings) = try StatsdServerSettings.from(values: [
            "port": "9125", "flushinterval": "2000", "percentthreshold": "90, 95, -10",
            "histogram": "api.:10,100,inf; :1", "deleteidlestats": "true", "deletegauges": "false",
            "gaugesmaxttl": "3", "legacynamespace": "false", "globalsuffix": "host1", "graphitehost": "relay",
            "graphiteport": "2013", "calculatedtimermetrics": "mean, upper", "reader_threads": "3", "frob": "1",
        ])
        XCTAssertEqual(warnings, ["[statsd] unknown key frob ignored"])
        XCTAssertEqual(s.port, 9125)
        XCTAssertEqual(s.statsd.flushInterval, 2000)
        XCTAssertEqual(s.statsd.percentThreshold, [90, 95, -10])
        XCTAssertEqual(s.statsd.histogram, [HistogramRule(metric: "api.", bins: [.bound(10), .bound(100), .infinity]),
                                            HistogramRule(metric: "", bins: [.bound(1)])])
        XCTAssertTrue(s.statsd.effectiveDeleteCounters)
        XCTAssertFalse(s.statsd.effectiveDeleteGauges)
        XCTAssertEqual(s.statsd.gaugesMaxTTL, 3)
        XCTAssertFalse(s.statsd.legacyNamespace)
        XCTAssertEqual(s.statsd.globalSuffix, "host1")
        XCTAssertEqual(s.graphiteHost, "relay")
        XCTAssertEqual(s.graphitePort, 2013)
        XCTAssertEqual(s.statsd.calculatedTimerMetrics, ["mean", "upper"])
        XCTAssertEqual(s.readerThreads, 3)
    }

    /// Two instances on one host differ in `port`; TCP must not stay on 8125 for both.
    func testTCPPortFollowsPortUnlessSet() throws {
        XCTAssertEqual(try StatsdServerSettings.from(values: [:]).settings.tcpPort, 8125)
        XCTAssertEqual(try StatsdServerSettings.from(values: ["port": "9125"]).settings.tcpPort, 9125)
        XCTAssertEqual(try StatsdServerSettings.from(values: ["port": "9125", "tcp_port": "9200"]).settings.tcpPort, 9200)
        XCTAssertEqual(try StatsdServerSettings.from(values: ["port": "9125", "tcp_port": "0"]).settings.tcpPort, 0)
    }

    func testFalsyFlushIntervalIsTheDefault() throws {
        XCTAssertEqual(try StatsdServerSettings.from(values: ["flushinterval": "0"]).settings.statsd.flushInterval, 10_000)
    }

    func testInvalidValuesNameKeyAndValue() {
        XCTAssertThrowsError(try StatsdServerSettings.from(values: ["port": "99999"])) {
            XCTAssertEqual("\($0)", "[statsd] port = 99999: expected a whole number from 0 to 65535")
        }
        XCTAssertThrowsError(try StatsdServerSettings.from(values: ["percentthreshold": "0"]))
        XCTAssertThrowsError(try StatsdServerSettings.from(values: ["histogram": "x:1,two"]))
        XCTAssertThrowsError(try StatsdServerSettings.from(values: ["deletecounters": "maybe"]))
        XCTAssertThrowsError(try StatsdServerSettings.from(values: ["globalprefix": "has space"]))
    }

    /// Every key conf/stoker.conf documents under [statsd] is read without a warning.
    func testShippedConfigDocumentsKnownKeys() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("conf/stoker.conf").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // up to the next section ([api])
        let section = text.components(separatedBy: "\n[statsd]\n")[1].components(separatedBy: "\n[")[0]
        var keys: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("# ") && (line.contains(" = ") || line.hasSuffix(" =")) {
            let parts = line.dropFirst(2).components(separatedBy: " =")
            keys[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        XCTAssertGreaterThanOrEqual(keys.count, 30)
        keys = keys.filter { !$0.value.isEmpty }
        let (settings, warnings) = try StatsdServerSettings.from(values: keys)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(settings, StatsdServerSettings(), "the documented defaults are the real defaults")
    }
}
