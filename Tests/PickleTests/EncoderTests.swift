import XCTest
import Pickle

/// The encoder must match CPython's `pickle.dumps(obj, protocol=2)` byte for byte, and
/// CPython must load what it writes back to the same object.
final class EncoderTests: XCTestCase {
    private func tuple(_ items: PickleValue...) -> PickleValue { .tuple(items) }

    private func points(_ count: Int) -> PickleValue {
        .list((0..<count).map { i in tuple(.int(Int64(1_700_000_000 + i * 60)), .float(Double(i) * 0.25)) })
    }

    /// Python expressions and the equal `PickleValue`. Strings are all distinct objects in
    /// Python (no repeated literal, no one-character or empty string twice), see `PickleEncoder`.
    private var cases: [(python: String, value: PickleValue)] {
        [
            ("{'datapoints': []}", ["datapoints": []]),
            ("{'datapoints': [(1700000000, 1.5)]}", ["datapoints": [tuple(1_700_000_000, 1.5)]]),
            ("{'datapoints': [(1700000000 + i * 60, i * 0.25) for i in range(1500)]}", ["datapoints": points(1500)]),
            ("{'datapoints': [(1700000000 + i * 60, i * 0.25) for i in range(1000)]}", ["datapoints": points(1000)]),
            ("{'datapoints': [(1700000000 + i * 60, i * 0.25) for i in range(2001)]}", ["datapoints": points(2001)]),
            ("{'datapoints': [(1700000000.5, 2.0), (1700000001.25, -0.0), (1700000002, float('nan')), (3, float('-inf'))]}",
             ["datapoints": [tuple(1_700_000_000.5, 2.0), tuple(1_700_000_001.25, -0.0), tuple(1_700_000_002, .float(.nan)),
                             tuple(3, .float(-.infinity))]]),
            ("[0, 1, 255, 256, 65535, 65536, -1, -256, 2**31-1, -2**31, 2**31, -2**31-1, 2**32, 2**39, -2**39, 2**40, -2**40, 2**63-1, -2**63, 123456789012]",
             [0, 1, 255, 256, 65535, 65536, -1, -256, 2_147_483_647, -2_147_483_648, 2_147_483_648, -2_147_483_649,
              4_294_967_296, 549_755_813_888, -549_755_813_888, 1_099_511_627_776, -1_099_511_627_776, .int(.max), .int(.min),
              123_456_789_012]),
            ("[2**63, -2**63-1, 2**200, -2**200, 2**2100, -(2**2100)]",
             [.bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0]), .bigInt([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF]),
              .bigInt(Array(repeating: 0, count: 25) + [1]), .bigInt(Array(repeating: 0, count: 25) + [0xFF]),
              .bigInt(Array(repeating: 0, count: 262) + [0x10]), .bigInt(Array(repeating: 0, count: 262) + [0xF0])]),
            // A non-canonical .bigInt built by a caller is written like the int it is.
            ("[5, -1]", [.bigInt([5, 0, 0]), .bigInt([0xFF, 0xFF])]),
            (#"{'datapointsByMetric': {'caf\u00e9.m\u00e9trique': [(1, 2.0)], 'b.\U0001F600.c': [], 'plain.name': [(60, 1.0), (120, 2.0)]}}"#,
             ["datapointsByMetric": ["café.métrique": [tuple(1, 2.0)], "b.😀.c": [], "plain.name": [tuple(60, 1.0), tuple(120, 2.0)]]]),
            (#"{'error': 'Invalid request type "foo"'}"#, ["error": "Invalid request type \"foo\""]),
            ("{'old_value': 'average', 'new_value': 'max'}", ["old_value": "average", "new_value": "max"]),
            ("{'value': 'average'}", ["value": "average"]),
            ("{'error': 'Traceback (most recent call last):\\n  File \"x\", line 1\\nKeyError: \\'aggregationMethod\\'\\n'}",
             ["error": "Traceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'aggregationMethod'\n"]),
            ("[None, True, False]", [.none, true, false]),
            ("{'a1': None, 'b2': True, 'c3': {'nested': {'deep': [1, [2, [3.5]]]}}}",
             ["a1": .none, "b2": true, "c3": ["nested": ["deep": [1, [2, [3.5]]]]]]),
            ("((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((),), ('tx', ['ly']))",
             tuple(tuple(), tuple(1), tuple(1, 2), tuple(1, 2, 3), tuple(1, 2, 3, 4), tuple(tuple()), tuple("tx", ["ly"]))),
            // More than 256 memo entries: LONG_BINPUT.
            ("{'datapointsByMetric': {('m%d' % i): [(i, float(i))] for i in range(300)}}",
             ["datapointsByMetric": .dict((0..<300).map { i in (key: .string("m\(i)"), value: [tuple(.int(Int64(i)), .float(Double(i)))]) })]),
            // Dict batching, including the trailing empty batch at exact multiples of 1000.
            ("{('k%04d' % i): i for i in range(1000)}", .dict((0..<1000).map { i in (key: .string(key(i)), value: .int(Int64(i))) })),
            ("{('k%04d' % i): i for i in range(2001)}", .dict((0..<2001).map { i in (key: .string(key(i)), value: .int(Int64(i))) })),
            ("{('k%04d' % i): i for i in range(999)}", .dict((0..<999).map { i in (key: .string(key(i)), value: .int(Int64(i))) })),
            ("['', 'x' * 70000]", ["", .string(String(repeating: "x", count: 70000))]),
            ("[5e-324, 1.7976931348623157e308, 0.1, -2.5]", [.float(.leastNonzeroMagnitude), .float(.greatestFiniteMagnitude), 0.1, -2.5]),
        ]
    }

    private func key(_ i: Int) -> String {
        let digits = String(i)
        return "k" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func testBytesMatchCPythonProtocol2() throws {
        let cases = self.cases
        let expected = try PythonOracle.pickles(cases.map(\.python), protocols: [2])
        let encoder = PickleEncoder()
        var ours: [[UInt8]] = []
        for (index, testCase) in cases.enumerated() {
            let bytes = try encoder.encode(testCase.value)
            ours.append(bytes)
            XCTAssertEqual(bytes, expected[index][0], "case \(index): \(testCase.python)")
            if bytes != expected[index][0], let first = zip(bytes, expected[index][0]).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                XCTFail("first difference at byte \(first.offset)")
            }
        }
        // CPython loads our bytes to an equal object (types compared too).
        let loaded = try PythonOracle.loadsEqual(ours, cases.map(\.python))
        XCTAssertEqual(loaded.count, cases.count)
        for (index, ok) in loaded.enumerated() { XCTAssertTrue(ok, "pickle.loads differs for case \(index): \(cases[index].python)") }
    }

    func testExactBytesOfACarbonlinkAnswer() throws {
        // The observed shape from docs/carbon.md §11, spelled out.
        let bytes = try PickleEncoder().encode(["datapoints": [tuple(1_700_000_000, 1.5), tuple(60, 2.0)]])
        let expected: [UInt8] = [0x80, 2, 0x7D, 0x71, 0, 0x58, 10, 0, 0, 0] + Array("datapoints".utf8) + [0x71, 1,
            0x5D, 0x71, 2, 0x28,
            0x4A, 0x00, 0xF1, 0x53, 0x65, 0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x86, 0x71, 3,
            0x4B, 60, 0x47, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x86, 0x71, 4,
            0x65, 0x73, 0x2E]
        XCTAssertEqual(bytes, expected)
    }

    func testRoundTripThroughOurDecoder() throws {
        let encoder = PickleEncoder(), decoder = PickleDecoder()
        for testCase in cases {
            let value = testCase.value
            let decoded = try decoder.decode(try encoder.encode(value))
            // NaN is never equal to itself; compare the rest.
            if testCase.python.contains("nan") { continue }
            // Non-canonical bigInts come back canonical.
            if testCase.python == "[5, -1]" { XCTAssertEqual(decoded, [5, -1]); continue }
            XCTAssertEqual(decoded, value, testCase.python)
        }
    }

    func testUnsupportedValuesThrowAndLeaveTheBufferAlone() {
        let encoder = PickleEncoder()
        XCTAssertThrowsError(try encoder.encode(["k": .bytes([1])])) { error in
            XCTAssertEqual(error as? PickleEncodingError, .unsupported("bytes"))
        }
        XCTAssertThrowsError(try encoder.encode(.set([1]))) { error in
            XCTAssertEqual(error as? PickleEncodingError, .unsupported("set"))
        }
        var deep: PickleValue = []
        for _ in 0..<600 { deep = [deep] }
        XCTAssertThrowsError(try encoder.encode(deep)) { error in
            XCTAssertEqual(error as? PickleEncodingError, .tooDeep(limit: 512))
        }
        var buffer: [UInt8] = [9, 9, 9, 9]
        XCTAssertThrowsError(try encoder.encode([1, .bytes([2])], into: &buffer))
        XCTAssertEqual(buffer, [9, 9, 9, 9])
        XCTAssertNoThrow(try encoder.encode(.none, into: &buffer))
        XCTAssertEqual(buffer, [9, 9, 9, 9, 0x80, 2, 0x4E, 0x2E])
    }
}
