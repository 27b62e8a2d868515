import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// carbon's tag normalisation, `TaggedSeries.parse` + `format` (docs/carbon.md §6).
final class MetricNameTests: XCTestCase {
    private func parseError(_ raw: String) -> MetricNameError? {
        do {
            _ = try MetricName(parsing: raw)
            return nil
        } catch {
            return error
        }
    }

    func testTagsAreSortedAsWholeStrings() throws {
        XCTAssertEqual(MetricName.normalize("t.tagged;b=2;a=1"), "t.tagged;a=1;b=2")
        // `-` (0x2D) sorts before `=` (0x3D): `;a-b=1` comes before `;a=1`.
        XCTAssertEqual(MetricName.normalize("m;a=1;a-b=1"), "m;a-b=1;a=1")
        // Byte order, not case-insensitive: upper case first.
        XCTAssertEqual(MetricName.normalize("m;b=1;B=1;a=1"), "m;B=1;a=1;b=1")
        // Code-point order for non-ASCII: é (U+00E9) after z.
        XCTAssertEqual(MetricName.normalize("m;é=1;z=1"), "m;z=1;é=1")
    }

    func testParsedFields() throws {
        let name = try MetricName(parsing: "~~cpu.load;host=web1;dc=eu=west")
        XCTAssertEqual(name.metric, "~~cpu.load")
        XCTAssertEqual(name.tags, ["name": "cpu.load", "host": "web1", "dc": "eu=west"])
        XCTAssertEqual(name.normalized, "cpu.load;dc=eu=west;host=web1")
    }

    func testLeadingTildesAreStripped() {
        XCTAssertEqual(MetricName.normalize("~foo.bar"), "foo.bar")
        XCTAssertEqual(MetricName.normalize("~~~foo;a=1"), "foo;a=1")
        // Only leading ones.
        XCTAssertEqual(MetricName.normalize("foo~.bar~"), "foo~.bar~")
    }

    func testExplicitNameTagIsOverwritten() {
        XCTAssertEqual(MetricName.normalize("real;name=fake;a=1"), "real;a=1")
    }

    func testDuplicateTagsLastWins() {
        XCTAssertEqual(MetricName.normalize("m;a=1;b=2;a=3"), "m;a=3;b=2")
    }

    func testPlainNamesAreUnchanged() {
        XCTAssertEqual(MetricName.normalize("servers.web1.cpu"), "servers.web1.cpu")
        XCTAssertEqual(MetricName.normalize("a..b."), "a..b.")
    }

    func testParseFailuresKeepTheRawName() {
        XCTAssertEqual(MetricName.normalize("t.tagbad;=x"), "t.tagbad;=x")
        XCTAssertEqual(MetricName.normalize("~~~"), "~~~")
        XCTAssertEqual(MetricName.normalize("m;b=2;a"), "m;b=2;a")
        XCTAssertEqual(MetricName.normalize(""), "")
    }

    func testCarbonFormErrors() {
        XCTAssertEqual(parseError("t.tagbad;=x"), .invalidSegment(name: "t.tagbad;=x", segment: "=x"))
        XCTAssertEqual(parseError("m;novalue"), .invalidSegment(name: "m;novalue", segment: "novalue"))
        XCTAssertEqual(parseError("m;a=1;"), .invalidSegment(name: "m;a=1;", segment: ""))
        XCTAssertEqual(parseError(";a=1"), .noMetric(name: ";a=1"))
        XCTAssertEqual(parseError(""), .noMetric(name: ""))
        XCTAssertEqual(parseError("m;a="), .emptyValue(name: "m;a=", tag: "a"))
        XCTAssertEqual(parseError("m;a!b=1"), .prohibitedCharacter(name: "m;a!b=1", tag: "a!b", character: "!"))
        XCTAssertEqual(parseError("m;a^b=1"), .prohibitedCharacter(name: "m;a^b=1", tag: "a^b", character: "^"))
        XCTAssertEqual(parseError("m;a=~x"), .valueStartsWithTilde(name: "m;a=~x", tag: "a"))
        XCTAssertEqual(parseError("m;name=~x"), .valueStartsWithTilde(name: "m;name=~x", tag: "name"))
        XCTAssertEqual(parseError("~~"), .onlyTildes(name: "~~"))
        XCTAssertEqual(parseError("~;a=1"), .onlyTildes(name: "~"))
        // A tilde later in a value is fine.
        XCTAssertNil(parseError("m;a=x~"))
    }

    func testOpenMetricsForm() throws {
        let name = try MetricName(parsing: #"http_requests{method="GET",code="200"}"#)
        XCTAssertEqual(name.metric, "http_requests")
        XCTAssertEqual(name.tags, ["name": "http_requests", "method": "GET", "code": "200"])
        XCTAssertEqual(name.normalized, "http_requests;code=200;method=GET")
    }

    func testOpenMetricsEscapes() throws {
        XCTAssertEqual(try MetricName(parsing: #"m{path="a\"b\\c"}"#).tags["path"], #"a"b\c"#)
        XCTAssertEqual(MetricName.normalize(#"m{q="say \"hi\""}"#), #"m;q=say "hi""#)
        // A value may hold `=`, `,` and spaces.
        XCTAssertEqual(MetricName.normalize(#"m{q="a=b, c"}"#), "m;q=a=b, c")
        // An escaped backslash right before the closing quote.
        XCTAssertEqual(try MetricName(parsing: #"m{p="x\\"}"#).tags["p"], #"x\"#)
    }

    func testOpenMetricsSeparatorQuirk() {
        // carbon's `(:?,|$)` accepts `:,` between tags.
        XCTAssertEqual(MetricName.normalize(#"m{b="2":,a="1"}"#), "m;a=1;b=2")
        // Tag names are everything up to `=`, spaces included.
        XCTAssertEqual(MetricName.normalize(#"m{a="1", b="2"}"#), "m; b=2;a=1")
    }

    func testOpenMetricsErrors() {
        XCTAssertEqual(parseError(#"{a="1"}"#), .noMetric(name: #"{a="1"}"#))
        XCTAssertEqual(parseError(#"m{a="1" b="2"}"#), .invalidSegment(name: #"m{a="1" b="2"}"#, segment: #"a="1" b="2""#))
        XCTAssertEqual(parseError(#"m{a=""}"#), .invalidSegment(name: #"m{a=""}"#, segment: #"a="""#))
        XCTAssertEqual(parseError(#"m{a="x\n"}"#), .invalidSegment(name: #"m{a="x\n"}"#, segment: #"a="x\n""#))
        XCTAssertEqual(parseError(#"m{{a="1"}"#), .invalidSegment(name: #"m{{a="1"}"#, segment: #"m{{a="1""#))
        XCTAssertEqual(parseError(#"m{a;b="1"}"#), .prohibitedCharacter(name: #"m{a;b="1"}"#, tag: "a;b", character: ";"))
        XCTAssertEqual(parseError(#"m{a="x;y"}"#), .semicolonInValue(name: #"m{a="x;y"}"#, tag: "a"))
        XCTAssertEqual(parseError(#"m{a="~x"}"#), .valueStartsWithTilde(name: #"m{a="~x"}"#, tag: "a"))
        XCTAssertEqual(parseError(#"~{a="1"}"#), .onlyTildes(name: "~"))
        // Not OpenMetrics unless it ends with `"}`: then it is a plain (untagged) name.
        XCTAssertEqual(MetricName.normalize("m{a=1}"), "m{a=1}")
    }

    func testNormalizedIsIdempotent() {
        for raw in ["t.tagged;b=2;a=1", "~x;a-b=1;a=1", #"m{q="a\"b"}"#, "plain.name"] {
            let once = MetricName.normalize(raw)
            XCTAssertEqual(MetricName.normalize(once), once, raw)
        }
    }
}
