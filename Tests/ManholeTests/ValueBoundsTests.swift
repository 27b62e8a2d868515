import XCTest
@testable import Manhole
@testable import ManholeLanguage

/// The bounds on what one statement may build (PythonValue+Bounds.swift). Each hostile line here
/// took the whole server down before: out of memory, or a stack overflow while freeing a value
/// (seen by running the manhole fuzz target on them; Fuzz/corpus/manhole/regression-deep-nesting
/// keeps the fast one in the seeds).
final class ValueBoundsTests: XCTestCase {
    func testDoublingAListStopsAtTheLimitWithAMemoryError() {
        let h = InterpreterHarness()
        let (_, err, outcome) = h.run("x = [1]" + String(repeating: "; x = x + x", count: 32))
        XCTAssertEqual(outcome, .failed)
        XCTAssertTrue(err.hasSuffix("MemoryError: the manhole refuses values of over 1048576 items\n"), err)
        // The statements before the refusal ran: x stopped below the limit.
        XCTAssertEqual(h.output("len(x)"), "524288\n")
    }

    func testDoublingAStringStopsAtTheLimitWithAMemoryError() {
        let h = InterpreterHarness()
        let (_, err, outcome) = h.run("x = 'a' * 16000000" + String(repeating: "; x = x + x", count: 10))
        XCTAssertEqual(outcome, .failed)
        XCTAssertTrue(err.hasSuffix("MemoryError: the manhole refuses strings over 16777216 bytes\n"), err)
        XCTAssertEqual(h.output("len(x + 'b' * 777216)"), "16777216\n")
    }

    func testSharingAValueCountsEveryPlaceItAppears() {
        let h = InterpreterHarness()
        // 2^30 places after thirty steps, though only thirty lists exist: printing x never ended.
        let (_, err, outcome) = h.run("x = [1]" + String(repeating: "; x = [x, x]", count: 30) + "; x")
        XCTAssertEqual(outcome, .failed)
        XCTAssertTrue(err.hasSuffix("MemoryError: the manhole refuses values of over 1048576 items\n"), err)
        XCTAssertTrue(h.run("y = (x, x, x, x)").err.contains("MemoryError"))
        XCTAssertTrue(h.run("y = {1: x, 2: x, 3: x, 4: x}").err.contains("MemoryError"))
        XCTAssertEqual(h.output("x == x"), "True\n")
    }

    func testNestingDeeperThanTheLimitIsARecursionError() {
        let h = InterpreterHarness()
        // Several lines, each nesting x deeper: freeing 60 000 levels overflowed the stack.
        XCTAssertEqual(h.output("x = 1"), "")
        var err = ""
        for _ in 0..<4 where err.isEmpty {
            err = h.run(Array(repeating: "x = [x]", count: 60).joined(separator: "; ")).err
        }
        XCTAssertTrue(err.hasSuffix("RecursionError: the manhole refuses values nested over 200 deep\n"), err)
        XCTAssertEqual(h.output("y = x; n = 0"), "")
        XCTAssertTrue(h.run("x = {0: x}").err.contains("RecursionError"))
        XCTAssertTrue(h.run("x = (x,)").err.contains("RecursionError"))
    }

    func testOrdinaryValuesAreUnchanged() {
        let h = InterpreterHarness()
        XCTAssertEqual(h.output("'ab' + 'c', [1] + [2, 3], (1,) + (2,), {'k': [[1, 2], (3,)]}"),
                       "('abc', [1, 2, 3], (1, 2), {'k': [[1, 2], (3,)]})\n")
        XCTAssertEqual(h.output("len(" + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + ")"), "1\n")
    }
}
