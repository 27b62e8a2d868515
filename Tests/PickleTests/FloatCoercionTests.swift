import Foundation
import XCTest
import Pickle

/// `asDouble` against CPython's `float()` for the values carbon passes through it.
final class FloatCoercionTests: XCTestCase {
    func testStringsAgreeWithPythonFloat() throws {
        let inputs: [String] = [
            "3.5", " 3.5 ", "\t-2\n", "+1e3", "1E-3", "1e500", "-1e500", "1e-400", ".5", "5.", "5.e2", ".", "", " ",
            "e3", "1e", "1e+", "inf", "-INF", "Infinity", "+iNfInItY", "infinit", "nan", "-NaN", "nan(1)", "0x1p3",
            "1_000", "1_000.000_1", "1e1_0", "_1", "1_", "1__0", "1_.5", "1._5", "1_e5", "1e_5",
            "abc", "1.5abc", "1 2", "--1", "+-1", "٣.٥", "\u{2003}7\u{3000}", "\u{A0}8", "\u{1C}9", "1\u{0}",
            "１２", "0.1", "123456789012345678901234567890", "9007199254740993", "2.4e-324", "2.5e-324",
            "4.9406564584124654e-324", "1.7976931348623157e308", "1.7976931348623159e308", "-0", "00012", "1,5",
        ]
        let script = """
        import sys, json
        for s in json.load(sys.stdin):
            try:
                print(float(s).hex())
            except ValueError:
                print('ERR')
        """
        let json = try JSONSerialization.data(withJSONObject: inputs)
        let answers = try PythonOracle.run(script, input: Array(json)).split(separator: "\n").map(String.init)
        XCTAssertEqual(answers.count, inputs.count)
        for (input, answer) in zip(inputs, answers) {
            let ours = PickleValue.string(input).asDouble
            XCTAssertEqual(describe(ours), answer, "float(\(input.debugDescription))")
        }
    }

    func testBytesAgreeWithPythonFloat() throws {
        let inputs: [[UInt8]] = [Array("3.5".utf8), Array(" 1_0 ".utf8), Array("inf".utf8), [0xE9], Array("\u{1C}1".utf8),
                                 Array("1e5".utf8), Array("x".utf8), []]
        let script = """
        import sys
        for h in sys.stdin.read().split(','):
            try:
                print(float(bytes.fromhex(h)).hex())
            except ValueError:
                print('ERR')
        """
        let answers = try PythonOracle.run(script, input: Array(inputs.map(PythonOracle.hex).joined(separator: ",").utf8))
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(answers.count, inputs.count)
        for (input, answer) in zip(inputs, answers) {
            XCTAssertEqual(describe(PickleValue.bytes(input).asDouble), answer, "float(\(input))")
        }
    }

    func testNumbersBoolsAndOthers() throws {
        XCTAssertEqual(PickleValue.int(1_700_000_000).asDouble, 1_700_000_000)
        XCTAssertEqual(PickleValue.int(9_007_199_254_740_993).asDouble, 9_007_199_254_740_992)  // round half to even
        XCTAssertEqual(PickleValue.bool(true).asDouble, 1)
        XCTAssertEqual(PickleValue.bool(false).asDouble, 0)
        XCTAssertEqual(PickleValue.float(-2.5).asDouble, -2.5)
        XCTAssertNil(PickleValue.none.asDouble)
        XCTAssertNil(PickleValue.list([1]).asDouble)
        XCTAssertNil(PickleValue.tuple([]).asDouble)
        XCTAssertNil(PickleValue.dict([]).asDouble)
        // Big ints: exact rounding up to the double range, nil (OverflowError) beyond.
        let pickles = try PythonOracle.pickles(["2**64 + 1", "-(2**100) - 12345", "2**1023 * 3 // 2", "2**1024 - 2**970", "2**1024"], protocols: [2])
        let expected = try PythonOracle.run("""
        for v in [2**64 + 1, -(2**100) - 12345, 2**1023 * 3 // 2, 2**1024 - 2**970, 2**1024]:
            try:
                print(float(v).hex())
            except OverflowError:
                print('ERR')
        """).split(separator: "\n").map(String.init)
        for (index, pickle) in pickles.enumerated() {
            let value = try PickleDecoder().decode(pickle[0])
            guard case .bigInt = value else { return XCTFail("\(value) should be a big int") }
            XCTAssertEqual(describe(value.asDouble), expected[index], "\(value)")
        }
        XCTAssertEqual(PickleValue.bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0]).description, "9223372036854775808")
        XCTAssertEqual(PickleValue.bigInt(Array(repeating: 0, count: 25) + [0xFF]).description,
                       "-1606938044258990275541962092341162602522202993782792835301376")
    }

    func testAccessors() {
        let request: PickleValue = ["type": "cache-query", "metric": "a.b", "metric": "c.d"]
        XCTAssertEqual(request["metric"], "c.d", "last duplicate wins, as in a Python dict")
        XCTAssertNil(request["missing"])
        XCTAssertNil(PickleValue.list([])["type"])
        XCTAssertEqual(PickleValue.tuple([1, 2]).asSequence, [1, 2])
        XCTAssertEqual(PickleValue.list(["x"]).asSequence, ["x"])
        XCTAssertNil(PickleValue.set([1]).asSequence)
        XCTAssertNil(PickleValue.bytes([0x61]).asString)
        XCTAssertEqual(PickleValue.string("a").asString, "a")
        XCTAssertEqual(PickleValue.bool(true).asInt64, 1)
        XCTAssertEqual(request.asDict?.count, 3)
        XCTAssertEqual(PickleValue.tuple(["a.b", PickleValue.tuple([1, 2.5])]).description, "('a.b', (1, 2.5))")
    }

    /// Python's `float.hex()` spelling, or ERR for nil.
    private func describe(_ value: Double?) -> String {
        guard let value else { return "ERR" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0x0.0p+0" : "0x0.0p+0" }
        // float.hex: [-]0x1.<13 hex digits>p<exp>, subnormals as 0x0.<13 digits>p-1022.
        let sign = value.sign == .minus ? "-" : ""
        let bits = value.bitPattern
        let exponentBits = Int((bits >> 52) & 0x7FF)
        let mantissa = bits & ((1 << 52) - 1)
        var digits = String(mantissa, radix: 16)
        digits = String(repeating: "0", count: 13 - digits.count) + digits
        if exponentBits == 0 { return "\(sign)0x0.\(digits)p-1022" }
        let exponent = exponentBits - 1023
        return "\(sign)0x1.\(digits)p\(exponent >= 0 ? "+" : "")\(exponent)"
    }
}
