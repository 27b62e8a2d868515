import StatsdCore
@testable import StatsdNetwork
import XCTest

/// What is posted to graphite-web's events API, and where.
final class EventPosterTests: XCTestCase {
    func testEventBodyIsWhatGraphiteWebReads() throws {
        let body = EventPoster.body(StatsdEvent(title: "Deploy \"v2\"", text: "a\nb", timestamp: 5, tags: ["env:prod", "x"]))
        XCTAssertEqual(String(decoding: body, as: UTF8.self),
                       #"{"data":"a\nb","tags":["env:prod","x"],"what":"Deploy \"v2\"","when":5}"#)
        XCTAssertEqual(EventPoster.Endpoint(url: "http://graphite:8080")?.path, "/events/")
        XCTAssertEqual(EventPoster.Endpoint(url: "http://127.0.0.1:8080/graphite/")?.path, "/graphite/events/")
        XCTAssertEqual(EventPoster.Endpoint(url: "http://[::1]:81")?.host, "::1")
        XCTAssertEqual(EventPoster.Endpoint(url: "http://web")?.port, 80)
        XCTAssertNil(EventPoster.Endpoint(url: "https://web"))
        XCTAssertNil(EventPoster.Endpoint(url: "http://web:http"))
    }
}
