import XCTest
@testable import Pickle

/// The allocation-free byte path of Python's `float()` (the plaintext receivers use it).
final class PythonFloatBytesTests: XCTestCase {
    private func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { PythonFloatSyntax.parse(UnsafeRawBufferPointer($0)) }
    }

    func testPythonFloatMatchesPython() throws {
        let cases: [(String, Double?)] = [
            ("0", 0), ("-0", -0.0), ("+7", 7), ("1.5", 1.5), ("1E-3", 0.001), ("1_2.3_4e1_0", 12.34e10),
            ("INF", .infinity), ("-iNfInItY", -.infinity), ("infin", nil), ("", nil), ("+", nil), ("1e+", nil),
            ("123456789012345678", 123456789012345680), ("0.1", 0.1), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("1e400", .infinity), ("4.9e-324", .leastNonzeroMagnitude),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(parse(text), expected, text)
        }
    }

    func testSurroundingWhitespaceAndUnderscoreRules() {
        XCTAssertEqual(parse(" 7 "), 7)
        XCTAssertEqual(parse("\t1_000\n"), 1000)
        XCTAssertNil(parse("1__0"))
        XCTAssertNil(parse("_1"))
        XCTAssertNil(parse("1_"))
        XCTAssertNil(parse("1_.5"))
        XCTAssertNil(parse("0x10"))
        XCTAssertNil(parse("1,5"))
    }
}
