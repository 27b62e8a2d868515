import StatsdCore
@testable import StatsdNetwork
import XCTest

/// What is posted to graphite-web's events API, and where.
final class EventPosterTests: XCTestCase {
    func testEventBodyIsWhatGraphiteWebReads() throws {
        let body = EventPoster.body(StatsdEvent(title: "Deploy \"v2\"", text: "a\nb", timestamp: 5, tags: ["env:prod", "x"]))
        XCTAssertEqual(String(decoding: body, as: UTF8.self),
                       #"{"data":"a\nb","tags":["env:prod","x"],"what":"Deploy \"v2\"","when":5}"#)
    }
}
