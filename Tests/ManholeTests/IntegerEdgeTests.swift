import XCTest
@testable import Manhole
@testable import ManholeLanguage

/// Whole-number arithmetic at the ends of Int's range, where Swift traps and Python has big
/// integers: the manhole gives Python's answer when it fits, an OverflowError when it does not,
/// and never takes the server down. Each line crashed the process before (seen by running the
/// manhole fuzz target on them; the inputs are in Fuzz/corpus/manhole/regression-*).
final class IntegerEdgeTests: XCTestCase {
    func testModuloNearIntMinIsPythonsRemainder() {
        let h = InterpreterHarness()
        XCTAssertEqual(h.output("-9223372036854775807 % 3"), "2\n")
        XCTAssertEqual(h.output("-9223372036854775807 // 3"), "-3074457345618258603\n")
        XCTAssertEqual(h.output("(-9223372036854775807 - 1) % 7, (-9223372036854775807 - 1) // 7"),
                       "(6, -1317624576693539402)\n")
        XCTAssertEqual(h.output("9223372036854775807 % -2, 9223372036854775807 % -3, -7 % 3"), "(-1, -2, 2)\n")
    }

    func testNegatingIntMinIsAnOverflowError() {
        let h = InterpreterHarness()
        let (out, err, outcome) = h.run("-(-9223372036854775807 - 1)")
        XCTAssertEqual(outcome, .failed)
        XCTAssertEqual(out, "")
        XCTAssertTrue(err.hasSuffix("OverflowError: integer negation result too large\n"), err)
        XCTAssertEqual(h.output("-(-9223372036854775807)"), "9223372036854775807\n")
    }

    func testAbsOfIntMinIsAnOverflowError() {
        let h = InterpreterHarness()
        let (_, err, outcome) = h.run("abs(-9223372036854775807 - 1)")
        XCTAssertEqual(outcome, .failed)
        XCTAssertTrue(err.hasSuffix("OverflowError: abs() result too large\n"), err)
        XCTAssertEqual(h.output("abs(-9223372036854775807)"), "9223372036854775807\n")
    }
}
