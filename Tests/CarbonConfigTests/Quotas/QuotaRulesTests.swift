import XCTest
@testable import CarbonConfig

/// quotas.conf (docs/quotas.md): sections are namespace globs (`/` the server), keys the limits.
final class QuotaRulesTests: XCTestCase {
    func testSectionsKeysSeparatorsAndMax() throws {
        let rules = try QuotaRules.parse(text: """
            # each top-level namespace
            [*]
            metrics = 1,000,000
            throughput = 600_000
            dropping-policy = none

            [sys.app.*]
            metrics = 3000
            new-series-per-minute = max

            [/]
            metrics =
            new-series-per-minute = 20000
            """, fileName: "quotas.conf")
        XCTAssertEqual(rules.rules.map(\.section), ["*", "sys.app.*", "/"])
        XCTAssertEqual(rules.rules[0].metrics, 1_000_000)
        XCTAssertEqual(rules.rules[0].throughputPerMinute, 600_000)
        XCTAssertEqual(rules.rules[0].droppingPolicy, .none)
        XCTAssertEqual(rules.rules[1].metrics, 3000)
        XCTAssertNil(rules.rules[1].newSeriesPerMinute)
        XCTAssertEqual(rules.rules[1].droppingPolicy, .new)
        XCTAssertNil(rules.rules[2].pattern)
        XCTAssertNil(rules.rules[2].metrics)
        XCTAssertEqual(rules.rules[2].newSeriesPerMinute, 20000)
        XCTAssertTrue(rules.limitsThroughput)
        XCTAssertTrue(rules.limitsSeries)
        XCTAssertEqual(rules.rules.map(\.depth), [1, 3, 0])
        XCTAssertEqual(rules.rules.map(\.statName), ["any", "sys_app_any", "server"])
    }

    func testNamespacesAreTheMatchedLeadingComponentsOfALongerName() throws {
        let rule = QuotaRule(section: "sys.{app,db}.*", pattern: try PathPattern("sys.{app,db}.*"))
        XCTAssertEqual(rule.namespace(of: "sys.app.web1.cpu"), "sys.app.web1")
        XCTAssertEqual(rule.namespace(of: "sys.db.x.y.z"), "sys.db.x")
        XCTAssertNil(rule.namespace(of: "sys.app.web1"), "a series is not a namespace")
        XCTAssertNil(rule.namespace(of: "sys.cache.web1.cpu"))
        XCTAssertNil(rule.namespace(of: "other"))
        let server = QuotaRule(section: "/", pattern: nil)
        XCTAssertEqual(server.namespace(of: "anything.at.all"), "")
        let top = QuotaRule(section: "*", pattern: try PathPattern("*"))
        XCTAssertEqual(top.namespace(of: "stats.timers.x"), "stats")
        XCTAssertNil(top.namespace(of: "lonely"))
    }

    func testBadFilesAreRefusedWithTheirSectionAndKey() {
        let cases: [(String, String)] = [
            ("[*]\nmetrics = lots\n", "metrics"),
            ("[*]\nmetrics = -5\n", "metrics"),
            ("[*]\nthroughput = 1e6\n", "throughput"),
            ("[*]\ndropping-policy = all\n", "dropping-policy"),
            ("[*]\nmax-metrics = 5\n", "max-metrics"),
            ("[a.**]\nmetrics = 5\n", "[section]"),
            ("[" + String(repeating: "{a,b}", count: 10) + "]\nmetrics = 5\n", "[section]"),
        ]
        for (text, key) in cases {
            XCTAssertThrowsError(try QuotaRules.parse(text: text, fileName: "q.conf"), text) { error in
                guard case let .invalidValue(file, _, badKey, _, _)? = error as? StorageConfigError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(file, "q.conf")
                XCTAssertEqual(badKey, key, text)
            }
        }
    }

    func testAnAbsentFileIsNoQuotas() throws {
        XCTAssertEqual(try QuotaRules.load(path: "/nonexistent/quotas.conf"), .none)
        XCTAssertTrue(QuotaRules.none.isEmpty)
    }
}
