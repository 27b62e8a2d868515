import StatsdCore
import XCTest

final class JavaScriptNumberTests: XCTestCase {
    func testDecimalForms() {
        XCTAssertEqual(JavaScriptNumber.parse("5"), 5)
        XCTAssertEqual(JavaScriptNumber.parse("-5"), -5)
        XCTAssertEqual(JavaScriptNumber.parse("+5"), 5)
        XCTAssertEqual(JavaScriptNumber.parse(".5"), 0.5)
        XCTAssertEqual(JavaScriptNumber.parse("5."), 5)
        XCTAssertEqual(JavaScriptNumber.parse("1e-3"), 0.001)
        XCTAssertEqual(JavaScriptNumber.parse("2E+2"), 200)
        XCTAssertEqual(JavaScriptNumber.parse("0.1"), 0.1)
        XCTAssertEqual(JavaScriptNumber.parse("123456789012345678"), 123456789012345680)
        XCTAssertEqual(JavaScriptNumber.parse("0.30000000000000004"), 0.30000000000000004)
        XCTAssertEqual(JavaScriptNumber.parse("007"), 7)
        XCTAssertEqual(JavaScriptNumber.parse("1e400"), .infinity)
        let negativeZero = JavaScriptNumber.parse("-0")
        XCTAssertEqual(negativeZero, 0)
        XCTAssertEqual(negativeZero?.sign, .minus)
    }

    func testWhitespaceAndEmpty() {
        XCTAssertEqual(JavaScriptNumber.parse(""), 0)
        XCTAssertEqual(JavaScriptNumber.parse(" "), 0)
        XCTAssertEqual(JavaScriptNumber.parse(" \t5\r\n"), 5)
        XCTAssertEqual(JavaScriptNumber.parse("\u{00A0}7\u{3000}"), 7)
        XCTAssertEqual(JavaScriptNumber.parse("\u{FEFF}8"), 8)
    }

    func testSpecialLiterals() {
        XCTAssertEqual(JavaScriptNumber.parse("Infinity"), .infinity)
        XCTAssertEqual(JavaScriptNumber.parse("+Infinity"), .infinity)
        XCTAssertEqual(JavaScriptNumber.parse("-Infinity"), -.infinity)
        XCTAssertEqual(JavaScriptNumber.parse("0x10"), 16)
        XCTAssertEqual(JavaScriptNumber.parse("0XfF"), 255)
        XCTAssertEqual(JavaScriptNumber.parse("0o17"), 15)
        XCTAssertEqual(JavaScriptNumber.parse("0b101"), 5)
    }

    func testNaN() {
        for text in ["_", "1_000", "1,5", "1.2.3", "+-1", "NaN", "infinity", "inf", "-0x10", "0x", "0b2", "e5",
                     ".", "-", "1e", "1e+", "abc", "5x", "0x1p3", "\u{FFFD}"] {
            XCTAssertNil(JavaScriptNumber.parse(text), text)
        }
    }
}
