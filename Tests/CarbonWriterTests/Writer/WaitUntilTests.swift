import XCTest

/// `waitUntil` whose condition never holds fails the test; it does not skip it.
final class WaitUntilTests: XCTestCase {
    private var captured: [String]?

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        guard captured == nil else { captured?.append(description); return }
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    func testATimeoutIsAFailure() {
        captured = []
        var thrown: (any Error)?
        do { try waitUntil(timeout: 0.05) { false } } catch { thrown = error }
        let failures = captured ?? []
        captured = nil
        XCTAssertEqual(failures.count, 1, "\(failures)")
        XCTAssertTrue(failures.first?.contains("condition not met within 0.05 s") ?? false, "\(failures)")
        XCTAssertTrue(thrown is WaitTimedOut, "\(String(describing: thrown))")
    }

    func testAConditionThatHoldsEndsTheWait() throws {
        var polls = 0
        try waitUntil(timeout: 10) { polls += 1; return polls == 3 }
        XCTAssertEqual(polls, 3)
    }
}
