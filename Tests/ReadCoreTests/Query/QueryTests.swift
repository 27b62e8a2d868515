import XCTest
@testable import ReadCore

final class QueryTests: XCTestCase {
    func testFormDecodingAsDjangoDoes() {
        let parameters = QueryParameters(urlEncoded: Array("target=a.b&target=sumSeries(c.*)&from=-1h&x=%7Ba%2Cb%7D+c&flag&bad=%zz".utf8))
        XCTAssertEqual(parameters.all("target"), ["a.b", "sumSeries(c.*)"])
        XCTAssertEqual(parameters["target"], "sumSeries(c.*)")
        XCTAssertEqual(parameters["x"], "{a,b} c")
        XCTAssertEqual(parameters["flag"], "")
        XCTAssertEqual(parameters["bad"], "%zz")
        XCTAssertNil(parameters["missing"])
    }

    func testTimesInTheFormsClustersAndDashboardsSend() throws {
        let now = 1_800_000_000
        XCTAssertEqual(try GraphiteTime.parse("1700000000", name: "from", now: now), 1_700_000_000)
        XCTAssertEqual(try GraphiteTime.parse("now", name: "from", now: now), now)
        XCTAssertEqual(try GraphiteTime.parse("-1h", name: "from", now: now), now - 3600)
        XCTAssertEqual(try GraphiteTime.parse("now-30min", name: "from", now: now), now - 1800)
        XCTAssertEqual(try GraphiteTime.parse("-1d12h", name: "from", now: now), now - 86400 - 43200)
        XCTAssertEqual(try GraphiteTime.parse("-2mon", name: "from", now: now), now - 60 * 86400)
        XCTAssertEqual(try GraphiteTime.parse("+5 min", name: "until", now: now), now + 300)
        for bad in ["20261206", "noon yesterday", "-1", "-1fortnight", "abc", "-99999999999999y"] {
            XCTAssertThrowsError(try GraphiteTime.parse(bad, name: "from", now: now), bad)
        }
    }
}
