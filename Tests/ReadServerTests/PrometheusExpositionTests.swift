import XCTest
@testable import ReadServer

/// The text format by hand: one HELP and TYPE per family, labelled samples after it, label
/// values escaped. (python3-prometheus-client parses the real `/metrics` in the integration
/// tests.)
final class PrometheusExpositionTests: XCTestCase {
    func testFamiliesLabelsAndEscapes() {
        typealias S = PrometheusExposition.Sample
        let text = PrometheusExposition.render([
            S("stoker_up", .gauge, 1, help: "Up.\nReally"),
            S("stoker_quota_series", .gauge, 12, help: "Series.", labels: [.init("rule", "*")]),
            S("stoker_quota_series", .gauge, 3.5, help: "Series.", labels: [.init("rule", #"a"b\c"#)]),
        ])
        XCTAssertEqual(text, #"""
            # HELP stoker_up Up.\nReally
            # TYPE stoker_up gauge
            stoker_up 1
            # HELP stoker_quota_series Series.
            # TYPE stoker_quota_series gauge
            stoker_quota_series{rule="*"} 12
            stoker_quota_series{rule="a\"b\\c"} 3.5

            """#)
    }
}
