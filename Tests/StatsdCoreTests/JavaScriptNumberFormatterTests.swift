import StatsdCore
import XCTest

final class JavaScriptNumberFormatterTests: XCTestCase {
    /// Expected strings printed by node v20 (`String(n)`).
    func testMatchesNode() {
        let cases: [(Double, String)] = [
            (5, "5"), (-2, "-2"), (0, "0"), (-0.0, "0"), (1e21, "1e+21"),
            (666666666666666622976, "666666666666666600000"), (123456789012345683968, "123456789012345680000"),
            (0.000001, "0.000001"), (1e-7, "1e-7"), (2.0 / 3.0 * 1e-7, "6.666666666666665e-8"),
            (0.1 + 0.2, "0.30000000000000004"), (10.0 / 3.0, "3.3333333333333335"),
            (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
            (1e15, "1000000000000000"), (1e16, "10000000000000000"), (123456.789, "123456.789"),
            (-1.5e-9, "-1.5e-9"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (2 * (1 / 0.3), "6.666666666666667"), (0.5, "0.5"), (100, "100"),
            (1.25e20, "125000000000000000000"), (1.25e21, "1.25e+21"), (4.35, "4.35"), (0.001, "0.001"),
            (1.0 / 3.0, "0.3333333333333333"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(JavaScriptNumberFormatter.string(value), expected, "\(value)")
        }
    }

    func testPlaintextPayload() {
        let output = StatsdFlushOutput(timestamp: 1234, datapoints: [StatsdDatapoint("a.b", 5), StatsdDatapoint("c", 1e-7)],
                                       numStats: 0, processingTime: 0, calculationTime: 0)
        XCTAssertEqual(output.plaintext(), "a.b 5 1234\nc 1e-7 1234\n")
    }
}
