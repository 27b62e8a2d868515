import StatsdCore
import XCTest

/// docs/statsd.md §2.2-2.5, checked on the table a reader fills.
final class PacketParsingTests: XCTestCase {
    private func parse(_ packets: [String], _ configure: (inout StatsdSettings) -> Void = { _ in }) -> AggregationTable {
        var settings = StatsdSettings()
        configure(&settings)
        var parser = StatsdPacketParser(settings: settings)
        var table = AggregationTable()
        for packet in packets { parser.parse(packet, into: &table) }
        return table
    }

    private func parse(_ packet: String, _ configure: (inout StatsdSettings) -> Void = { _ in }) -> AggregationTable {
        parse([packet], configure)
    }

    // MARK: 2.2 packets and lines

    func testPacketAndLineCounting() {
        let table = parse(["a:1|c\nb:2|c\n\nc|x\n", "", "\n\n"])
        XCTAssertEqual(table.internalCount(.packetsReceived), 3)
        XCTAssertEqual(table.internalCount(.metricsReceived), 3)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 1)
        XCTAssertEqual(table.counter("a"), 1)
        XCTAssertEqual(table.counter("b"), 2)
    }

    func testCarriageReturnIsKept() {
        // `c\r` is still a counter; the key keeps nothing of the \r because it is in the value part.
        let table = parse("a:1|c\r\nb:2|ms\r\nh:x|s\r\ns:5|s\r")
        XCTAssertEqual(table.counter("a"), 1)
        XCTAssertEqual(table.timer("b")?.values, [2])
        XCTAssertNil(table.setMembers("h"))
        XCTAssertEqual(table.internalCount(.badLinesSeen), 1)
        XCTAssertEqual(table.setMembers("s"), ["5"])
    }

    // MARK: 2.3 grammar

    func testBareNameIsBadLine() {
        let table = parse("foo")
        XCTAssertEqual(table.internalCount(.badLinesSeen), 1)
        XCTAssertEqual(table.badLineSamples, [BadLineSample(reason: .missingColon, line: "foo")])
        XCTAssertEqual(table.keyCount, 0)
    }

    func testSegmentsAreIndependent() {
        let table = parse("bar:1|c:bad|c:3|c")
        XCTAssertEqual(table.counter("bar"), 4)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 1)
        XCTAssertEqual(table.badLineSamples.first?.reason, .invalidValue)
    }

    func testMixedTypesInOneLine() {
        let table = parse("k:1|c:2|ms:3|g:x|s")
        XCTAssertEqual(table.counter("k"), 1)
        XCTAssertEqual(table.timer("k")?.values, [2])
        XCTAssertEqual(table.gauge("k"), 3)
        XCTAssertEqual(table.setMembers("k"), ["x"])
    }

    func testDogStatsDTags() {
        let table = parse(["x:1|c|#a:b,c", "y:1|c|@0.5|#a:b", "z;a=b:1|c", "t:1|c|#k;v:w:z,,q", "u:1|c|#a:b|#c:d", "v:1|c|#"])
        XCTAssertEqual(table.counter("x;a=b;c"), 1)
        XCTAssertEqual(table.counter("y;a=b"), 2)
        XCTAssertEqual(table.counter("z;a=b"), 1)
        // First `;` -> `_`, first `:` -> `=`, the second `:` is deleted by the sanitiser; empty tags stay.
        XCTAssertEqual(table.counter("t;k_v=wz;;q"), 1)
        XCTAssertEqual(table.counter("u;a=b"), 1)
        XCTAssertEqual(table.counter("v"), 1)
        XCTAssertEqual(table.keyCount, 6)
    }

    func testTagBeforeSampleRateSwallowsIt() {
        let table = parse("x:1|c|#a:b|@0.5")
        XCTAssertEqual(table.counter("x;a=b0.5"), 1)
    }

    func testSanitiserExamples() {
        let examples: [(String, String)] = [
            ("a b\tc/d+e(f)g;h=i", "a_b_c-defg;h=i"),
            ("  lead  trail  ", "_lead_trail_"),
            ("caf\u{e9}.\u{fc}ber", "caf.ber"),
            ("x\u{a0}y\u{2003}z", "x_y_z"),
            ("q#r@s!t*u,v[w]", "qrstuvw"),
            ("a \u{e9} b", "a__b"),
            ("a \u{2028}\u{3000}\u{feff} b", "a_b"),
            ("", ""),
        ]
        for (raw, expected) in examples {
            let table = parse(raw + ":1|c")
            XCTAssertEqual(table.counters.map(\.name), [expected], raw)
        }
    }

    func testInvalidUTF8IsDeleted() {
        var settings = StatsdSettings()
        settings.keyNameSanitize = true
        var parser = StatsdPacketParser(settings: settings)
        var table = AggregationTable()
        parser.parse([0x61, 0xFF, 0x20, 0xE2, 0x80, 0x62, 0x3A, 0x31, 0x7C, 0x63], into: &table)
        XCTAssertEqual(table.counters.map(\.name), ["a_b"])
    }

    func testTCPHighBitStripping() {
        var bytes = Array("caf\u{e9}:1|c\n".utf8)
        bytes.withUnsafeMutableBytes { StatsdPacketParser.stripHighBits($0) }
        var parser = StatsdPacketParser(settings: StatsdSettings())
        var table = AggregationTable()
        parser.parse(bytes, into: &table)
        XCTAssertEqual(table.counters.map(\.name), ["cafC"])
    }

    func testSanitisingOff() {
        let table = parse("a b/c:1|c|#t:v") { $0.keyNameSanitize = false }
        XCTAssertEqual(table.counters.map(\.name), ["a b/c;t=v"])
    }

    // MARK: 2.4 validation

    func testSampleRateValidation() {
        // Stoker: the rate is the whole text after `@`, positive and finite, starting with a digit or `.`.
        let good: [(String, Double)] = [("@2", 0.5), ("@.2", 5), ("@0.2", 5), ("@2e-1", 5), ("@0x1", 1), ("@1.", 1),
                                        ("@0.5", 2), ("@5", 0.2), ("@0.5\r", 2)]
        for (rate, added) in good {
            let table = parse("a:1|c|" + rate)
            XCTAssertEqual(table.counter("a"), added, rate)
            XCTAssertEqual(table.internalCount(.badLinesSeen), 0, rate)
        }
        for rate in ["", "@", "@.", "@-1", "@blah", "@1.2.3", "@ 0.5", "@+0.5", "@Infinity", "@0", "@0.0", "@0x0", "@1e400", "0.5"] {
            let table = parse("a:1|c|" + rate)
            XCTAssertNil(table.counter("a"), rate)
            XCTAssertEqual(table.badLineSamples.map(\.reason), [.invalidSampleRate], rate)
        }
    }

    func testExtraFieldsIgnored() {
        let table = parse("a:1|c|@0.5|whatever|more")
        XCTAssertEqual(table.counter("a"), 2)
    }

    func testValueValidationByRawType() {
        let table = parse(["m: |c", "a:0x10|c", "b:1e400|c", "c:Infinity|c", "d:|c", "e:x|c", "f:|g", "g:-1|ms",
                           "h:-0|ms", "i:-0.0|ms", "j:|s", "k:x| ms", "l:-3| ms", "n:1|C", "o:2|x", "p:1"])
        XCTAssertEqual(table.counter("m"), 0)
        XCTAssertEqual(table.counter("a"), 16)
        XCTAssertEqual(table.counter("b"), .infinity)
        XCTAssertEqual(table.counter("c"), .infinity)
        XCTAssertNil(table.counter("d"))
        XCTAssertNil(table.counter("e"))
        XCTAssertNil(table.gauge("f"))
        XCTAssertNil(table.timer("g"))
        XCTAssertEqual(table.timer("h")?.values, [0])
        XCTAssertEqual(table.timer("i")?.values, [0])
        XCTAssertEqual(table.setMembers("j"), ["0"])
        XCTAssertNil(table.timer("k"))
        // ` ms` is validated as "any other type" (negative allowed) and dispatched as a timer.
        XCTAssertEqual(table.timer("l")?.values, [-3])
        XCTAssertEqual(table.counter("n"), 1)
        XCTAssertEqual(table.counter("o"), 2)
        XCTAssertNil(table.counter("p"))
        XCTAssertEqual(table.badLineSamples.map(\.reason),
                       [.invalidValue, .invalidValue, .invalidValue, .negativeTimerValue, .invalidValue, .missingType])
        XCTAssertEqual(table.internalCount(.badLinesSeen), 6)
    }

    // MARK: 2.5 accumulation

    func testCounterSampleRateUsesReciprocal() {
        let table = parse("a:2|c|@0.3\na:-1.5|c")
        XCTAssertEqual(table.counter("a"), 2 * (1 / 0.3) - 1.5)
        XCTAssertEqual(parse("b:2|c|@0.3").counter("b"), 6.666666666666667)
    }

    func testTimerSampleRateOnlyScalesCount() {
        let table = parse("t:10|ms|@0.1\nt:20|ms\nt:30|h\nt:40|d")
        XCTAssertEqual(table.timer("t")?.values, [10, 20, 30, 40])
        XCTAssertEqual(table.timer("t")?.count, 1 / 0.1 + 3)
    }

    func testHAndDAreTimers() {
        let table = parse("a:1|h\nb:2|d\nc:-5|h")
        XCTAssertEqual(table.timer("a")?.values, [1])
        XCTAssertEqual(table.timer("b")?.values, [2])
        XCTAssertEqual(table.timer("c")?.values, [-5])
        XCTAssertTrue(table.counters.isEmpty)
    }

    func testGaugeSignRules() {
        XCTAssertEqual(parse("g:5|g\ng:+3|g\ng:-10|g").gauge("g"), -2)
        XCTAssertEqual(parse("g:+1|g").gauge("g"), 1)
        XCTAssertEqual(parse("g:-4|g").gauge("g"), -4)
        XCTAssertEqual(parse("g:5|g\ng: -5|g").gauge("g"), -5)
        XCTAssertEqual(parse("g:0|g\ng:+7|g").gauge("g"), 7)
        XCTAssertEqual(parse("g:5|g\ng:+3|g|@0.1").gauge("g"), 8)
        let negativeZero = parse("g:-0|g").gauge("g")
        XCTAssertEqual(negativeZero, 0)
    }

    func testSetMembersAreExactStrings() {
        let table = parse("s:1|s\ns:1.0|s\ns:0|s\ns:00|s\ns:1|s|@0.1\ns:|s")
        XCTAssertEqual(table.setMembers("s"), ["1", "1.0", "0", "00"])
        let proto = parse("p:__proto__|s")
        XCTAssertEqual(proto.setMembers("p"), [])
    }

    func testSameKeyInFourMaps() {
        let table = parse("k:1|c\nk:2|ms\nk:3|g\nk:4|s")
        XCTAssertEqual(table.counters.map(\.name), ["k"])
        XCTAssertEqual(table.timers.map(\.name), ["k"])
        XCTAssertEqual(table.gauges.map(\.name), ["k"])
        XCTAssertEqual(table.sets.map(\.name), ["k"])
    }

    // MARK: Stoker limits

    func testLineLengthLimit() {
        let table = parse("aaaaaaaaaa:1|c\nb:1|c") { $0.maxLineLength = 8 }
        XCTAssertNil(table.counter("aaaaaaaaaa"))
        XCTAssertEqual(table.counter("b"), 1)
        XCTAssertEqual(table.internalCount(.linesTooLong), 1)
        XCTAssertEqual(table.internalCount(.badLinesSeen), 1)
        XCTAssertEqual(table.internalCount(.metricsReceived), 2)
        XCTAssertEqual(table.badLineSamples.first?.reason, .lineTooLong)
    }

    func testKeyLimit() {
        var parser = StatsdPacketParser(settings: StatsdSettings())
        var table = AggregationTable(maxKeys: 2)
        parser.parse("a:1|c\nb:1|ms\nc:1|g\na:1|c\nd:1|s", into: &table)
        XCTAssertEqual(table.counter("a"), 2)
        XCTAssertEqual(table.timer("b")?.values, [1])
        XCTAssertNil(table.gauge("c"))
        XCTAssertNil(table.setMembers("d"))
        XCTAssertEqual(table.internalCount(.keysOverLimit), 2)
    }

    func testBadLineSamplesAreCapped() {
        let table = parse(Array(repeating: "bad", count: 40).joined(separator: "\n"))
        XCTAssertEqual(table.internalCount(.badLinesSeen), 40)
        XCTAssertEqual(table.badLineSamples.count, AggregationTable.badLineSampleLimit)
    }

    func testLongNamesAndManyKeys() {
        var lines: [String] = []
        for i in 0..<5000 { lines.append("metric.number.\(i).with.a.longer.name:\(i)|c") }
        let table = parse(lines.joined(separator: "\n"))
        XCTAssertEqual(table.keyCount, 5000)
        XCTAssertEqual(table.counter("metric.number.4321.with.a.longer.name"), 4321)
        XCTAssertEqual(table.counters.first?.name, "metric.number.0.with.a.longer.name")
    }
}
