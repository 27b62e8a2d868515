import Foundation
import XCTest
@testable import Whisper

/// The differential fails, not passes, when whisper_oracle.py answers nothing or too little.
final class ReferenceAnswerTests: XCTestCase {
    private let cases: [DifferentialCase] = {
        var rng = SplitMix64(seed: 1)
        return (0..<2).map { DifferentialCase.random(id: "c\($0)", using: &rng) }
    }()

    private let stored: [String: Any] = ["from": 60, "until": 120, "step": 60, "values": [NSNull(), 0x4014_0000_0000_0000]]  // None, 5.0

    private func answer(_ fetches: (DifferentialCase) -> [Any]) -> Data {
        var object: [String: Any] = [:]
        for testCase in cases { object[testCase.id] = fetches(testCase) }
        return try! JSONSerialization.data(withJSONObject: object)
    }

    private func problem(_ data: Data, cases: [DifferentialCase]? = nil) -> ReferenceAnswer.Problem? {
        do {
            _ = try ReferenceAnswer.fetches(data, cases: cases ?? self.cases)
            return nil
        } catch {
            return error as? ReferenceAnswer.Problem
        }
    }

    func testACompleteAnswerIsAccepted() throws {
        let fetches = try ReferenceAnswer.fetches(answer { $0.fetches.map { _ in stored } }, cases: cases)
        XCTAssertEqual(fetches.count, cases.count)
        XCTAssertEqual(fetches["c0"]?.first?.values, [nil, 0x4014_0000_0000_0000])
    }

    func testAnEmptyAnswerFails() {
        XCTAssertEqual(problem(Data("{}".utf8)), .missingCase("c0"))
        XCTAssertEqual(problem(Data()), .notAnObject)
        XCTAssertEqual(problem(Data("[]".utf8)), .notAnObject)
    }

    func testNoCasesFails() {
        XCTAssertEqual(problem(answer { _ in [] }, cases: []), .noCases)
    }

    func testMissingFetchesFail() {
        let expected = cases[0].fetches.count
        XCTAssertEqual(problem(answer { _ in [] }), .fetchCount(id: "c0", expected: expected, got: 0))
        XCTAssertEqual(problem(answer { $0.fetches.dropFirst().map { _ in stored } }),
                       .fetchCount(id: "c0", expected: expected, got: expected - 1))
    }

    func testNoneToEveryFetchFails() {
        XCTAssertEqual(problem(answer { $0.fetches.map { _ in NSNull() } }), .nothingFetched)
    }

    func testAMalformedFetchFails() {
        XCTAssertEqual(problem(answer { $0.fetches.map { _ in "error" } }), .malformedFetch(id: "c0", index: 0))
        XCTAssertEqual(problem(answer { $0.fetches.map { _ in ["from": 60] } }), .malformedFetch(id: "c0", index: 0))
    }
}
