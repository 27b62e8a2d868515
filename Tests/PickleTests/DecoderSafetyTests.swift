import XCTest
import Pickle

/// Refusals, pickle bombs, truncation and random input: every one must end in a thrown
/// `PickleError`, never a crash, a hang or a huge allocation.
final class DecoderSafetyTests: XCTestCase {
    let decoder = PickleDecoder()

    private func assertRefused(_ bytes: [UInt8], _ expected: PickleError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decoder.decode(bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? PickleError, expected, file: file, line: line)
        }
    }

    func testForbiddenOpcodesAreNamedWithTheirOffset() {
        assertRefused(ascii("cos\nsystem\n(S'echo hi'\ntR."), .forbiddenOpcode(name: "GLOBAL", offset: 0))
        assertRefused([0x80, 4, 0x8C, 2] + ascii("os") + [0x8C, 6] + ascii("system") + [0x93, 0x2E],
                      .forbiddenOpcode(name: "STACK_GLOBAL", offset: 14))
        assertRefused(ascii("N)R."), .forbiddenOpcode(name: "REDUCE", offset: 2))
        assertRefused(ascii("]}b."), .forbiddenOpcode(name: "BUILD", offset: 2))
        assertRefused(ascii("(ios\nsystem\n."), .forbiddenOpcode(name: "INST", offset: 1))
        assertRefused(ascii("(No."), .forbiddenOpcode(name: "OBJ", offset: 2))
        assertRefused([0x4E, 0x29, 0x81, 0x2E], .forbiddenOpcode(name: "NEWOBJ", offset: 2))
        assertRefused([0x4E, 0x29, 0x7D, 0x92, 0x2E], .forbiddenOpcode(name: "NEWOBJ_EX", offset: 3))
        assertRefused([0x80, 2, 0x82, 1, 0x2E], .forbiddenOpcode(name: "EXT1", offset: 2))
        assertRefused([0x83, 1, 0, 0x2E], .forbiddenOpcode(name: "EXT2", offset: 0))
        assertRefused([0x84, 1, 0, 0, 0, 0x2E], .forbiddenOpcode(name: "EXT4", offset: 0))
        assertRefused(ascii("P1\n."), .forbiddenOpcode(name: "PERSID", offset: 0))
        assertRefused(ascii("NQ."), .forbiddenOpcode(name: "BINPERSID", offset: 1))
        assertRefused([0x97, 0x2E], .forbiddenOpcode(name: "NEXT_BUFFER", offset: 0))
        assertRefused([0x4E, 0x98, 0x2E], .forbiddenOpcode(name: "READONLY_BUFFER", offset: 1))
        assertRefused([0x4E, 0xFF, 0x2E], .unknownOpcode(0xFF, offset: 1))
        assertRefused([0x00], .unknownOpcode(0, offset: 0))
        assertRefused([0x80, 6, 0x4E, 0x2E], .unsupportedProtocol(6, offset: 0))
        XCTAssertEqual(PickleError.forbiddenOpcode(name: "GLOBAL", offset: 0).message,
                       "forbidden opcode GLOBAL at offset 0 (only data opcodes are accepted)")
    }

    func testMalformedArgumentsAndStackErrors() {
        assertRefused([], .truncated(offset: 0))
        assertRefused(ascii("N"), .truncated(offset: 1))
        assertRefused(ascii("."), .stackUnderflow(opcode: "STOP", offset: 0))
        assertRefused(ascii("0."), .stackUnderflow(opcode: "POP", offset: 0))
        assertRefused(ascii("(."), .stackUnderflow(opcode: "STOP", offset: 1))
        assertRefused(ascii("Na."), .stackUnderflow(opcode: "APPEND", offset: 1))
        assertRefused(ascii("NNa."), .wrongType(opcode: "APPEND", offset: 2, expected: "list"))
        assertRefused(ascii("}NNa."), .wrongType(opcode: "APPEND", offset: 3, expected: "list"))
        assertRefused(ascii("Nt."), .missingMark(opcode: "TUPLE", offset: 1))
        assertRefused([0x28, 0x4E, 0x86, 0x2E], .stackUnderflow(opcode: "TUPLE2", offset: 2))
        assertRefused(ascii("}(Nu."), .invalidArgument(opcode: "SETITEMS", offset: 3, reason: "odd number of items"))
        assertRefused(ascii("(Nd."), .invalidArgument(opcode: "DICT", offset: 2, reason: "odd number of items"))
        assertRefused(ascii("}]Ns."), .unhashable(opcode: "SETITEM", offset: 3))
        assertRefused([0x7D, 0x5D, 0x85, 0x4E, 0x73, 0x2E], .unhashable(opcode: "SETITEM", offset: 4))
        assertRefused([0x8F, 0x28, 0x5D, 0x90, 0x2E], .unhashable(opcode: "ADDITEMS", offset: 3))
        assertRefused([0x28, 0x5D, 0x91, 0x2E], .unhashable(opcode: "FROZENSET", offset: 2))
        assertRefused(ascii("g0\n."), .memoMissing(index: 0, offset: 0))
        assertRefused([0x6A, 0xFE, 0xFF, 0xFF, 0xFF, 0x2E], .memoMissing(index: 0xFFFF_FFFE, offset: 0))
        assertRefused(ascii("p0\n."), .stackUnderflow(opcode: "PUT", offset: 0))
        assertRefused(ascii("I010\n."), .invalidArgument(opcode: "INT", offset: 0, reason: "leading zero"))
        assertRefused(ascii("I 1\n."), .invalidArgument(opcode: "INT", offset: 0, reason: "not an integer"))
        assertRefused(ascii("I0x1\n."), .invalidArgument(opcode: "INT", offset: 0, reason: "not an integer"))
        assertRefused(ascii("I1"), .truncated(offset: 0))
        assertRefused(ascii("I" + String(repeating: "9", count: 4301) + "\n."),
                      .invalidArgument(opcode: "INT", offset: 0, reason: "more than 4300 digits"))
        assertRefused(ascii("F1e500\n."), .invalidArgument(opcode: "FLOAT", offset: 0, reason: "not a float"))
        assertRefused(ascii("F 1.5\n."), .invalidArgument(opcode: "FLOAT", offset: 0, reason: "not a float"))
        assertRefused(ascii("F1_0\n."), .invalidArgument(opcode: "FLOAT", offset: 0, reason: "not a float"))
        assertRefused(ascii("F0x1p3\n."), .invalidArgument(opcode: "FLOAT", offset: 0, reason: "not a float"))
        assertRefused(ascii("Sabc\n."), .invalidArgument(opcode: "STRING", offset: 0, reason: "the STRING opcode argument must be quoted"))
        assertRefused(ascii("S'abc\"\n."), .invalidArgument(opcode: "STRING", offset: 0, reason: "the STRING opcode argument must be quoted"))
        assertRefused(ascii(#"S'\x4'"# + "\n."), .invalidArgument(opcode: "STRING", offset: 0, reason: "invalid \\x escape"))
        assertRefused(ascii(#"S'ab\'"# + "\n."), .invalidArgument(opcode: "STRING", offset: 0, reason: "trailing \\ in string"))
        assertRefused(ascii(#"V\u12"# + "\n."), .invalidArgument(opcode: "UNICODE", offset: 0, reason: "truncated \\uXXXX escape"))
        assertRefused(ascii(#"V\U00110000"# + "\n."), .invalidArgument(opcode: "UNICODE", offset: 0, reason: "\\Uxxxxxxxx out of range"))
        assertRefused(ascii(#"V\ud800"# + "\n."), .invalidArgument(opcode: "UNICODE", offset: 0, reason: "lone surrogate"))
        assertRefused([0x55, 2, 0xC3, 0x28, 0x2E], .invalidArgument(opcode: "SHORT_BINSTRING", offset: 0, reason: "invalid UTF-8"))
        assertRefused([0x58, 3, 0, 0, 0, 0xED, 0xA0, 0x80, 0x2E], .invalidArgument(opcode: "BINUNICODE", offset: 0, reason: "invalid UTF-8"))
        assertRefused([0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E], .invalidArgument(opcode: "BINSTRING", offset: 0, reason: "negative byte count"))
        assertRefused([0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E], .invalidArgument(opcode: "LONG4", offset: 0, reason: "negative byte count"))
        // A self-containing list: Python builds it, we cannot represent it.
        assertRefused([0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E], .recursive(offset: 8))
    }

    func testDeclaredLengthsBeyondTheInputFailBeforeAllocating() {
        let huge: UInt64 = 1 << 60
        let le8 = (0..<8).map { UInt8(truncatingIfNeeded: huge >> UInt64(8 * $0)) }
        assertRefused([0x80, 4, 0x8D] + le8 + ascii("abc."),
                      .lengthExceedsInput(opcode: "BINUNICODE8", offset: 2, declared: huge, available: 4))
        assertRefused([0x8E] + Array(repeating: 0xFF, count: 8),
                      .lengthExceedsInput(opcode: "BINBYTES8", offset: 0, declared: .max, available: 0))
        assertRefused([0x96] + Array(repeating: 0xFF, count: 8) + [0x2E],
                      .lengthExceedsInput(opcode: "BYTEARRAY8", offset: 0, declared: .max, available: 1))
        assertRefused([0x80, 4, 0x95] + le8 + [0x4E, 0x2E],
                      .lengthExceedsInput(opcode: "FRAME", offset: 2, declared: huge, available: 2))
        assertRefused([0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],
                      .lengthExceedsInput(opcode: "BINUNICODE", offset: 0, declared: 0xFFFF_FFFF, available: 1))
        assertRefused([0x42, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E],
                      .lengthExceedsInput(opcode: "BINBYTES", offset: 0, declared: 0x7FFF_FFFF, available: 1))
        assertRefused([0x54, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E],
                      .lengthExceedsInput(opcode: "BINSTRING", offset: 0, declared: 0x7FFF_FFFF, available: 1))
        assertRefused([0x8B, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E],
                      .lengthExceedsInput(opcode: "LONG4", offset: 0, declared: 0x7FFF_FFFF, available: 1))
        assertRefused([0x8C, 200, 0x2E], .lengthExceedsInput(opcode: "SHORT_BINUNICODE", offset: 0, declared: 200, available: 1))
        assertRefused([0x8A, 9, 0x2E], .lengthExceedsInput(opcode: "LONG1", offset: 0, declared: 9, available: 1))
    }

    func testDeepNestingIsRefused() {
        let marks = [UInt8](repeating: 0x28, count: 100_000) + [0x2E]
        assertRefused(marks, .tooDeep(limit: 64, offset: 64))
        let markLists = Array([[UInt8]](repeating: [0x28, 0x5D], count: 100_000).joined()) + [0x2E]
        assertRefused(markLists, .tooDeep(limit: 64, offset: 128))
        // 100k empty lists appended into each other: flat while decoding, so refused by the
        // container budget (one per 8 input bytes + 1024) long before the depth check at STOP.
        let lists = [UInt8](repeating: 0x5D, count: 100_000) + [UInt8](repeating: 0x61, count: 99_999) + [0x2E]
        assertRefused(lists, .tooManyElements(limit: 200_000 / 8 + 1024, offset: 200_000 / 8 + 1024))
        // The same nesting within the container budget still meets the depth check at STOP.
        let fewLists = [UInt8](repeating: 0x5D, count: 1000) + [UInt8](repeating: 0x61, count: 999) + [0x2E]
        assertRefused(fewLists, .tooDeep(limit: 64, offset: 1999))
        // Nested TUPLE1s are refused as soon as they get too deep.
        let tuples = [0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E]
        assertRefused(tuples, .tooDeep(limit: 64, offset: 64))
        // A chain of memoised lists linked after the fact (depths recorded while still empty).
        var chain: [UInt8] = [0x80, 2]
        let count = 5000
        for i in 0..<count { chain += [0x5D, 0x72] + le32(i) + [0x30] }  // EMPTY_LIST LONG_BINPUT i POP
        for i in 0..<(count - 1) { chain += [0x6A] + le32(i) + [0x6A] + le32(i + 1) + [0x61, 0x30] }  // l[i].append(l[i+1])
        chain += [0x6A] + le32(0) + [0x2E]
        XCTAssertThrowsError(try decoder.decode(chain)) { error in
            XCTAssertEqual(error as? PickleError, .tooDeep(limit: 64, offset: chain.count - 1))
        }
        // Exactly at the limit is fine: 64 nested lists.
        let ok = [UInt8](repeating: 0x5D, count: 64) + [UInt8](repeating: 0x61, count: 63) + [0x2E]
        var value = try? decoder.decode(ok)
        var depth = 0
        while let v = value, case .list(let items) = v { depth += 1; value = items.first }
        XCTAssertEqual(depth, 64)
    }

    private func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    func testMemoAmplificationIsRefused() {
        // "Billion laughs": each level is a list of ten references to the previous level.
        var bomb: [UInt8] = [0x80, 2, 0x5D, 0x71, 0]  // level 0: []
        for level in 1...9 {
            bomb += [0x28] + [UInt8](repeating: 0, count: 10).flatMap { _ in [0x68, UInt8(level - 1)] } + [0x6C, 0x71, UInt8(level), 0x30]
        }
        bomb += [0x68, 9, 0x2E]
        let budget = PickleLimits.default.elementBudget(forInputLength: bomb.count)
        XCTAssertThrowsError(try decoder.decode(bomb)) { error in
            XCTAssertEqual(error as? PickleError, .tooManyElements(limit: budget, offset: bomb.count - 1))
        }
        // The same with immutable tuples is caught while decoding, before STOP.
        var tupleBomb: [UInt8] = [0x80, 2, 0x4E]
        for _ in 0..<64 { tupleBomb += [0x32, 0x86] }  // DUP TUPLE2: doubles the weight, depth +1
        tupleBomb += [0x2E]
        XCTAssertThrowsError(try decoder.decode(tupleBomb)) { error in
            guard case .tooManyElements = error as? PickleError else { return XCTFail("\(error)") }
        }
        // A generous budget lets the same shape through, so the limit is what refused it.
        let small: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x28, 0x68, 0, 0x68, 0, 0x6C, 0x2E]
        XCTAssertEqual(try decoder.decode(small), [[], []])
    }

    func testMemoLimit() {
        let strict = PickleDecoder(limits: PickleLimits(maxMemoEntries: 3))
        let three: [UInt8] = [0x4E, 0x71, 0, 0x71, 1, 0x71, 2, 0x71, 1, 0x2E]
        XCTAssertEqual(try strict.decode(three), PickleValue.none)
        let four: [UInt8] = [0x4E, 0x71, 0, 0x71, 1, 0x71, 2, 0x72, 0, 0, 1, 0, 0x2E]
        XCTAssertThrowsError(try strict.decode(four)) { error in
            XCTAssertEqual(error as? PickleError, .memoFull(limit: 3, offset: 7))
        }
        // MEMOIZE numbers slots by the count of entries, like CPython.
        XCTAssertEqual(try decoder.decode([0x4B, 5, 0x94, 0x30, 0x68, 0, 0x2E]), 5)
    }

    func testEveryTruncationOfValidPicklesFails() throws {
        let pickles = try PythonOracle.pickles(
            ["[('a.b.c', (1700000000, 1.5)), ('d.\\u00e9', [2**70, -3, None, True])]",
             "{'type': 'cache-query-bulk', 'metrics': ['a.b', 'c.d'], 'x': {1, 2}}"],
            protocols: [4, 5])
        var all = pickles.flatMap { $0 }
        let p0 = try PythonOracle.pickles(["[('a.b.c', (1700000000, 1.5)), ('d.\\u00e9', [2**70, -3, None, True, 'q\\\\r'])]"],
                                          protocols: [0, 1, 2, 3])
        all += p0[0]
        for pickle in all {
            XCTAssertNoThrow(try decoder.decode(pickle))
            for length in 0..<pickle.count {
                XCTAssertThrowsError(try decoder.decode(Array(pickle[..<length])), "prefix \(length) of \(pickle)")
            }
        }
    }

    func testRandomInputNeverCrashes() throws {
        var rng = SplitMix64(seed: 0x5EED_CAFE)
        // Opcode-heavy alphabet so random strings get past the first byte.
        let alphabet: [UInt8] = Array(0x28...0x32) + Array(0x42...0x58) + [0x5D] + Array(0x61...0x75) + [0x7D]
            + Array(0x80...0x98) + [0x00, 0x01, 0x02, 0x0A, 0xFF, 0x2E]
        var decoded = 0
        for round in 0..<4000 {
            let length = Int(rng.next() % 48)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            if (try? decoder.decode(bytes)) != nil { decoded += 1 }
        }
        // Mutations of a valid protocol-2 carbonlink answer and a protocol-5 request.
        let seeds = try PythonOracle.pickles(
            ["{'datapoints': [(1700000000, 1.5), (1700000060, 2.5)], 'k': ['ab', (1, 2, 3, 4)]}"], protocols: [0, 2, 5])[0]
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
                }
            }
            if (try? decoder.decode(bytes)) != nil { decoded += 1 }
        }
        // Some random inputs are valid pickles (e.g. "N."); the point is reaching here.
        XCTAssertGreaterThan(decoded, 0)
    }
}

/// A small seeded generator so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
