import XCTest
@testable import Pickle

/// Decodes pickles produced by the real CPython pickler at every protocol.
final class DecoderPythonTests: XCTestCase {
    let decoder = PickleDecoder()

    private func tuple(_ items: PickleValue...) -> PickleValue { .tuple(items) }

    /// Cases decodable at every protocol 0-5 (no bytes, sets or bytearrays, which need a GLOBAL
    /// below protocol 3/4/5).
    private var portableCases: [(python: String, expected: PickleValue)] {
        [
            ("[('a.b.c', (1700000000, 1.5)), ('x.y', (1700000060, -2.25))]",
             [tuple("a.b.c", tuple(1700000000, 1.5)), tuple("x.y", tuple(1700000060, -2.25))]),
            ("[['a.b.c', [1700000000, 1.5]], ['x.y', [1700000060.5, 3]]]",
             [["a.b.c", [1700000000, 1.5]], ["x.y", [1700000060.5, 3]]]),
            (#"[('caf\u00e9.\u20ac.\U0001F600', (1700000000, 0.0)), ('back\\slash\nnl', (1, 2))]"#,
             [tuple("café.€.😀", tuple(1700000000, 0.0)), tuple("back\\slash\nnl", tuple(1, 2))]),
            ("{'type': 'cache-query', 'metric': 'a.b'}", ["type": "cache-query", "metric": "a.b"]),
            ("{'type': 'cache-query-bulk', 'metrics': ['a.first', 'b.second']}",
             ["type": "cache-query-bulk", "metrics": ["a.first", "b.second"]]),
            ("{'type': 'set-metadata', 'metric': 'a.b', 'key': 'aggregationMethod', 'value': 'max'}",
             ["type": "set-metadata", "metric": "a.b", "key": "aggregationMethod", "value": "max"]),
            ("[None, True, False, 0, 1, 255, 256, 65535, 65536, -1, -256, 2**31-1, -2**31, 2**31, -2**31-1, 2**63-1, -2**63]",
             [.none, true, false, 0, 1, 255, 256, 65535, 65536, -1, -256, 2_147_483_647, -2_147_483_648,
              2_147_483_648, -2_147_483_649, .int(.max), .int(.min)]),
            ("[2**63, -2**63-1, 2**200, -2**200]",
             [.bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0]), .bigInt([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF]),
              .bigInt(Array(repeating: 0, count: 25) + [1]), .bigInt(Array(repeating: 0, count: 25) + [0xFF])]),
            ("[1.5, -0.0, float('inf'), float('-inf'), 1e300, 5e-324, 0.1]",
             [1.5, -0.0, .float(.infinity), .float(-.infinity), 1e300, .float(.leastNonzeroMagnitude), 0.1]),
            ("['', 'abc', 'x' * 300, (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], {}]",
             ["", "abc", .string(String(repeating: "x", count: 300)), .tuple([]), tuple(1), tuple(1, 2),
              tuple(1, 2, 3), tuple(1, 2, 3, 4), [], [:]]),
            ("{1: 'one', (1, 'two'): None, 'nested': {'deep': [[[]]]}}",
             [1: "one", tuple(1, "two"): .none, "nested": ["deep": [[[]]]]]),
            // The memo: the same tuple object twice is pickled once and fetched with GET.
            ("(lambda t: [t, t])(('a.b', (1, 2.0)))", [tuple("a.b", tuple(1, 2.0)), tuple("a.b", tuple(1, 2.0))]),
            // A shared list: every reference sees the whole list.
            ("(lambda l: [l, l, {'k': l}])([1, 2, 3])", [[1, 2, 3], [1, 2, 3], ["k": [1, 2, 3]]]),
        ]
    }

    func testCPythonPicklesAtEveryProtocol() throws {
        let cases = portableCases
        let pickles = try PythonOracle.pickles(cases.map(\.python), protocols: [0, 1, 2, 3, 4, 5])
        for (index, testCase) in cases.enumerated() {
            for proto in 0...5 {
                let bytes = pickles[index][proto]
                XCTAssertEqual(try decoder.decode(bytes), testCase.expected, "protocol \(proto): \(testCase.python)")
            }
        }
    }

    func testLargeCarbonRelayBatch() throws {
        let python = "[('m%d.cpu' % i, (1700000000 + i, i * 0.5)) for i in range(1500)]"
        let expected = PickleValue.list((0..<1500).map { i in
            tuple(.string("m\(i).cpu"), tuple(.int(Int64(1_700_000_000 + i)), .float(Double(i) * 0.5)))
        })
        let pickles = try PythonOracle.pickles([python], protocols: [0, 1, 2, 3, 4, 5])
        for proto in 0...5 {
            XCTAssertEqual(try decoder.decode(pickles[0][proto]), expected, "protocol \(proto)")
        }
    }

    func testGraphiteWebRequestsAtProtocol5UseFrameAndMemoize() throws {
        let pickles = try PythonOracle.pickles(
            ["{'type': 'cache-query', 'metric': 'a.b'}", "{'type': 'cache-query-bulk', 'metrics': ['a.one', 'b.two']}"],
            protocols: [5, 2])
        let p5 = pickles[0][0]
        XCTAssertEqual(Array(p5.prefix(3)), [0x80, 5, 0x95], "PROTO 5 then FRAME")
        XCTAssertTrue(p5.contains(0x94), "MEMOIZE present")
        XCTAssertTrue(p5.contains(0x8C), "SHORT_BINUNICODE present")
        let request = try decoder.decode(p5)
        XCTAssertEqual(request["type"], "cache-query")
        XCTAssertEqual(request["metric"]?.asString, "a.b")
        let bulk = try decoder.decode(pickles[1][0])
        XCTAssertEqual(bulk["metrics"]?.asSequence?.compactMap(\.asString), ["a.one", "b.two"])
        XCTAssertEqual(try decoder.decode(pickles[1][1]), bulk)
    }

    func testProtocol3To5BytesSetsAndByteArrays() throws {
        let pickles = try PythonOracle.pickles(["[b'raw\\x00\\xff', b'']"], protocols: [3, 4, 5])
        for p in pickles[0] { XCTAssertEqual(try decoder.decode(p), [.bytes([0x72, 0x61, 0x77, 0, 0xFF]), .bytes([])]) }
        let sets = try PythonOracle.pickles(["[{1, 2}, frozenset([3]), set()]"], protocols: [4, 5])
        for p in sets[0] { XCTAssertEqual(try decoder.decode(p), [.set([1, 2]), .set([3]), .set([])]) }
        let bytearray = try PythonOracle.pickles(["bytearray(b'ba')"], protocols: [5])
        XCTAssertEqual(try decoder.decode(bytearray[0][0]), .bytes([0x62, 0x61]))
    }

    /// Objects that CPython can only pickle through GLOBAL/STACK_GLOBAL + REDUCE are refused,
    /// as carbon's safe unpickler refuses them.
    func testObjectPicklesFromCPythonAreRefused() throws {
        let expressions = ["{1, 2}", "b'bytes'", "__import__('os').system", "__import__('collections').OrderedDict(a=1)",
                           "__import__('datetime').datetime(2024, 1, 2)", "complex(1, 2)", "bytearray(b'x')"]
        let pickles = try PythonOracle.pickles(expressions, protocols: [0, 1, 2, 3, 4, 5])
        for (index, expression) in expressions.enumerated() {
            for proto in 0...5 {
                if expression.hasPrefix("b'") && proto >= 3 { continue }
                if expression == "{1, 2}" && proto >= 4 { continue }
                if expression.hasPrefix("bytearray") && proto >= 5 { continue }
                XCTAssertThrowsError(try decoder.decode(pickles[index][proto]), "\(expression) protocol \(proto)") { error in
                    guard case .forbiddenOpcode(let name, _) = error as? PickleError else {
                        return XCTFail("\(expression) protocol \(proto): \(error)")
                    }
                    XCTAssertTrue(name == "GLOBAL" || name == "STACK_GLOBAL", name)
                }
            }
        }
        // Exact offset for the common carbon case: a set at protocol 2 is PROTO, then GLOBAL.
        XCTAssertThrowsError(try decoder.decode(pickles[0][2])) { error in
            XCTAssertEqual(error as? PickleError, .forbiddenOpcode(name: "GLOBAL", offset: 2))
        }
    }

    /// Hand-built pickles (Python 2 style, protocol-0 text opcodes) decoded by us and by
    /// CPython; CPython's result is re-pickled with protocol 2 and compared with our encoder's
    /// output of our result, so both decoders must agree value for value.
    func testHandBuiltPicklesAgreeWithCPython() throws {
        let handBuilt: [[UInt8]] = [
            // py2 protocol 0 carbon batch.
            ascii("(lp0\n(S'a.b.c'\np1\n(I1700000000\nF1.5\ntp2\ntp3\na(S'x.y'\np4\n(L1700000060L\nI-15\ntp5\ntp6\na."),
            // py2 protocol 2 carbon batch with SHORT_BINSTRING names.
            [0x80, 2, 0x5D, 0x71, 0, 0x28, 0x55, 5] + ascii("a.b.c") + [0x71, 1, 0x4A, 0x00, 0xF1, 0x53, 0x65,
             0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x86, 0x71, 2, 0x86, 0x71, 3,
             0x55, 3] + ascii("x.y") + [0x71, 4, 0x4B, 1, 0x4B, 2, 0x86, 0x71, 5, 0x86, 0x71, 6, 0x65, 0x2E],
            // py2 graphite-web carbonlink request, protocol 2 (memo starts at 1 in py2).
            [0x80, 2, 0x7D, 0x71, 1, 0x28, 0x55, 4] + ascii("type") + [0x71, 2, 0x55, 11] + ascii("cache-query")
                + [0x71, 3, 0x55, 6] + ascii("metric") + [0x71, 4, 0x55, 3] + ascii("a.b") + [0x71, 5, 0x75, 0x2E],
            // BINSTRING with a UTF-8 name of 300 bytes.
            [0x80, 2, 0x54, 0x2C, 0x01, 0, 0] + Array(String(repeating: "é", count: 150).utf8) + [0x2E],
            // STRING escapes.
            ascii(#"S'a\nb\x41\101\'q\\\t"'"# + "\n."),
            ascii(#"S"double \"quoted\" \q"# + "\"\n."),
            // UNICODE raw-unicode-escape: odd/even backslash runs, non-BMP.
            ascii(#"V\u0041\\u0041\\\u0042 \U0001F600 x\y"# + "\n."),
            [0x56, 0xE9, 0x0A, 0x2E],  // Latin-1 byte in UNICODE is U+00E9
            // INT booleans and LONG forms.
            ascii("(I01\nI00\nI0\nI-7\nI000\nL0L\nL-123456789012345678901234567890L\nL42\nI99999999999999999999\nI-0\nI+1\nI+5\nL+5L\nI-1\nl."),
            // FLOAT text forms.
            ascii("(F1.5\nF-0.0\nFinf\nF-Infinity\nF1e-400\nF.5\nF5.\nF1E+3\nl."),
            // DICT, LIST, TUPLE, POP, POP_MARK, DUP, PUT/GET text forms.
            ascii("((S'k1'\np0\nI1\nS'k2'\n(lp1\nI2\naI3\nad(I9\nI8\nI7\n1(I9\nI8\nN2tI5\np2\n0g2\n(I4\nI5\n0ll."),
            // POP with nothing above the mark discards the mark (CPython behaviour).
            ascii("(I1\n(0t."),
            // LONG_BINPUT/LONG_BINGET at a sparse memo index (CPython allocates its memo array up
            // to the index, so keep it small here; our memo is a hash table past the dense run).
            [0x80, 2, 0x4B, 7, 0x72, 0x00, 0x10, 0x00, 0x00, 0x30, 0x6A, 0x00, 0x10, 0x00, 0x00, 0x2E],
            // LONG1/LONG4 non-minimal encodings.
            [0x80, 2, 0x28, 0x8A, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x8A, 0x02, 0xFF, 0xFF,
             0x8B, 5, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x8A, 0, 0x6C, 0x2E],
            // Trailing bytes after STOP are ignored.
            ascii("N.garbage"),
        ]
        let script = """
        import pickle, sys
        for h in sys.stdin.read().split():
            print(pickle.dumps(pickle.loads(bytes.fromhex(h), encoding='utf-8'), protocol=2).hex())
        """
        let output = try PythonOracle.run(script, input: Array(handBuilt.map(PythonOracle.hex).joined(separator: "\n").utf8))
        let expected = try output.split(separator: "\n").map { try PythonOracle.bytes(hex: String($0)) }
        XCTAssertEqual(expected.count, handBuilt.count)
        for (index, bytes) in handBuilt.enumerated() {
            let value = try decoder.decode(bytes)
            XCTAssertEqual(try PickleEncoder().encode(value), expected[index], "case \(index): \(value)")
        }
        // And exact values for a few, so the test does not rest on the encoder alone.
        XCTAssertEqual(try decoder.decode(handBuilt[0]),
                       [tuple("a.b.c", tuple(1_700_000_000, 1.5)), tuple("x.y", tuple(1_700_000_060, -15))])
        XCTAssertEqual(try decoder.decode(handBuilt[2]), ["type": "cache-query", "metric": "a.b"])
        XCTAssertEqual(try decoder.decode(handBuilt[4]), "a\nbAA'q\\\t\"")
        XCTAssertEqual(try decoder.decode(handBuilt[5]), "double \"quoted\" \\q")
        XCTAssertEqual(try decoder.decode(handBuilt[6]), #"A\\u0041\\B 😀 x\y"#)
        XCTAssertEqual(try decoder.decode(handBuilt[7]), "é")
        XCTAssertEqual(try decoder.decode(handBuilt[8]),
                       [true, false, 0, -7, 0, 0, .bigInt([46, 245, 192, 177, 17, 31, 140, 60, 9, 240, 22, 113, 254]), 42,
                        .bigInt([0xFF, 0xFF, 0x0F, 0x63, 0x2D, 0x5E, 0xC7, 0x6B, 0x05]), false, true, 5, 5, -1])
        XCTAssertEqual(try decoder.decode(handBuilt[9]), [1.5, -0.0, .float(.infinity), .float(-.infinity), 0.0, 0.5, 5.0, 1000.0])
        XCTAssertEqual(try decoder.decode(handBuilt[10]), [["k1": 1, "k2": [2, 3]], tuple(9, 8, .none, .none), 5, [4]])
        XCTAssertEqual(try decoder.decode(handBuilt[11]), tuple(1))
        XCTAssertEqual(try decoder.decode(handBuilt[12]), 7)
        XCTAssertEqual(try decoder.decode(handBuilt[13]), [1, -1, -4_294_967_296, 0])
        XCTAssertEqual(try decoder.decodePrefix(handBuilt[14]).consumed, 2)
    }
}
