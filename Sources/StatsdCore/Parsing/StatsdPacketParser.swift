import NameBytes

import Glibc

/// Parses statsd packets (a UDP datagram, or a run of complete TCP lines) straight from bytes
/// into an `AggregationTable`, following statsd 0.10.2 (docs/statsd.md §2.2-2.5) with Stoker's
/// deliberate differences: a sample rate must be `@` + a positive finite number starting with
/// a digit or `.`, read as a whole number (`@2e-1` is 0.2; `@ 0.5`, `@+0.5`, `@Infinity`, `@0`
/// are bad lines), and `h` and `d` are timers. The common line costs no allocation: names stay
/// bytes (a slice of the packet, or a reused scratch buffer when tags or sanitising change them).
public struct StatsdPacketParser: Sendable {
    public var keyNameSanitize: Bool
    public var maxLineLength: Int
    /// Where DogStatsD service checks go (`StatsdSettings.serviceCheckPrefix`).
    var serviceCheckPrefix: [UInt8]
    private var scratch: [UInt8] = []

    public init(settings: StatsdSettings) {
        keyNameSanitize = settings.keyNameSanitize
        maxLineLength = settings.maxLineLength
        serviceCheckPrefix = Array(settings.serviceCheckPrefix.utf8)
    }

    /// Node's `'ascii'` decoding of TCP input clears every byte's high bit; the TCP layer applies
    /// this to each chunk before looking for line ends.
    public static func stripHighBits(_ buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<buffer.count { buffer[i] &= 0x7F }
    }

    /// Parses one packet: counts it, splits it on `\n`, skips empty lines, counts every other
    /// line in `metrics_received` and applies it.
    public mutating func parse(_ packet: UnsafeRawBufferPointer, into table: inout AggregationTable) {
        table.internalCounts[InternalCounter.packetsReceived.rawValue] += 1
        guard let raw = packet.baseAddress, packet.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = packet.count
        var start = 0
        while start < end {
            var lineEnd = start
            if let hit = memchrNewline(base + start, end - start) { lineEnd = start + hit } else { lineEnd = end }
            if lineEnd > start {
                table.internalCounts[InternalCounter.metricsReceived.rawValue] += 1
                if lineEnd - start > maxLineLength {
                    table.internalCounts[InternalCounter.linesTooLong.rawValue] += 1
                    table.recordBadLine(.lineTooLong, line: UnsafeRawBufferPointer(start: base + start, count: min(lineEnd - start, 256)))
                } else {
                    parseLine(base + start, lineEnd - start, into: &table)
                }
            }
            start = lineEnd + 1
        }
    }

    /// Convenience for tests and tools.
    public mutating func parse(_ packet: [UInt8], into table: inout AggregationTable) {
        packet.withUnsafeBytes { parse($0, into: &table) }
    }

    /// Convenience for tests and tools: the string's UTF-8 bytes as one packet.
    public mutating func parse(_ packet: String, into table: inout AggregationTable) {
        parse(Array(packet.utf8), into: &table)
    }

    @inline(__always)
    private func memchrNewline(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard let hit = memchr(p, 0x0A, n) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }

    @inline(__always)
    private static func find(_ byte: UInt8, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i < end && p[i] != byte { i += 1 }
        return i
    }

    /// The first `|#` at or after `start`, or `end`.
    @inline(__always)
    private static func findTagSeparator(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i + 1 < end {
            if p[i] == 0x7C && p[i + 1] == 0x23 { return i }
            i += 1
        }
        return end
    }

    private mutating func parseLine(_ p: UnsafePointer<UInt8>, _ count: Int, into table: inout AggregationTable) {
        let line = UnsafeRawBufferPointer(start: p, count: count)
        // DogStatsD's additions, only for lines statsd would reject (docs/dogstatsd.md).
        if DogStatsdLine.usesExtensions(p, count), parseDogStatsd(p, count, into: &table) { return }
        // 1. Tags: part 0 is the metric text; part 1 (up to any further `|#`) the tag list.
        let part0End = StatsdPacketParser.findTagSeparator(p, 0, count)
        var tags: Range<Int>?
        if part0End < count {
            tags = (part0End + 2)..<StatsdPacketParser.findTagSeparator(p, part0End + 2, count)
        }
        // 2. Key and segments.
        let colon = StatsdPacketParser.find(0x3A, p, 0, part0End)
        guard colon < part0End else {
            table.recordBadLine(.missingColon, line: line)
            return
        }
        // 3-4. Tag merge and sanitising.
        withName(key: UnsafeBufferPointer(start: p, count: colon), tags: tags.map { UnsafeBufferPointer(start: p + $0.lowerBound, count: $0.count) }) { name, nameLength, hash in
            StatsdPacketParser.applySegments(p, colon, part0End, name: name, nameLength: nameLength, hash: hash,
                                             line: line, into: &table)
        }
    }

    /// The aggregation key for `key` and its tag list (statsd's tag merge: each comma-separated
    /// tag becomes `;tag`, its first `:` turned into `=` and first `;` into `_`), sanitised
    /// when keyNameSanitize is on. A clean key without tags is used in place.
    @inline(__always)
    mutating func withName(key: UnsafeBufferPointer<UInt8>, tags: UnsafeBufferPointer<UInt8>?,
                           _ body: (UnsafeRawPointer, Int, UInt64) -> Void) {
        let base = key.baseAddress ?? UnsafePointer(bitPattern: 1)!
        let hasTags = !(tags?.isEmpty ?? true)
        if !hasTags && (!keyNameSanitize || KeySanitizer.isClean(base, 0, key.count)) {
            body(UnsafeRawPointer(base), key.count, NameHash.hash(base, key.count))
            return
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: key)
        if let tags, hasTags {
            var tagStart = 0
            while true {
                var tagEnd = tagStart
                while tagEnd < tags.count && tags[tagEnd] != 0x2C { tagEnd += 1 }
                scratch.append(0x3B)
                var replacedSemicolon = false, replacedColon = false
                for k in tagStart..<tagEnd {
                    var b = tags[k]
                    if b == 0x3B && !replacedSemicolon { b = 0x5F; replacedSemicolon = true }
                    else if b == 0x3A && !replacedColon { b = 0x3D; replacedColon = true }
                    scratch.append(b)
                }
                if tagEnd >= tags.count { break }
                tagStart = tagEnd + 1
            }
        }
        let nameLength: Int
        if keyNameSanitize {
            nameLength = scratch.withUnsafeMutableBufferPointer { buffer in
                KeySanitizer.sanitize(UnsafePointer(buffer.baseAddress!), 0, buffer.count, into: buffer.baseAddress!)
            }
        } else {
            nameLength = scratch.count
        }
        let nameBytes = scratch
        nameBytes.withUnsafeBytes { raw in
            let namePointer = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            body(namePointer, nameLength, NameHash.hash(namePointer, nameLength))
        }
    }

    /// 5. Each `:`-separated segment after the key is validated and applied on its own.
    @inline(__always)
    private static func applySegments(_ p: UnsafePointer<UInt8>, _ colon: Int, _ part0End: Int,
                               name: UnsafeRawPointer, nameLength: Int, hash: UInt64,
                               line: UnsafeRawBufferPointer, into table: inout AggregationTable) {
        var segStart = colon + 1
        while true {
            let segEnd = StatsdPacketParser.find(0x3A, p, segStart, part0End)
            if let reason = applySegment(p, segStart, segEnd, name: name, nameLength: nameLength, hash: hash, into: &table) {
                table.recordBadLine(reason, line: line)
            }
            if segEnd >= part0End { break }
            segStart = segEnd + 1
        }
    }

    enum Kind { case counter, timer, gauge, set }

    /// A segment's type: what it is validated as (by the raw text) and applied as (trimmed).
    struct SegmentType {
        var kind: Kind
        var rawIsSet: Bool
        var rawIsTimer: Bool
    }

    /// Validates (docs/statsd.md §2.4) and applies (§2.5) one `value|type[|@rate[|...]]` segment.
    @inline(__always)
    private static func applySegment(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int,
                              name: UnsafeRawPointer, nameLength: Int, hash: UInt64,
                              into table: inout AggregationTable) -> BadLineReason? {
        let bar1 = StatsdPacketParser.find(0x7C, p, s, e)
        guard bar1 < e else { return .missingType }
        let typeStart = bar1 + 1
        let bar2 = StatsdPacketParser.find(0x7C, p, typeStart, e)
        var rate = 1.0
        if bar2 < e {
            let rateEnd = StatsdPacketParser.find(0x7C, p, bar2 + 1, e)
            guard let r = StatsdPacketParser.sampleRate(p, bar2 + 1, rateEnd) else { return .invalidSampleRate }
            rate = r
        }
        let type = StatsdPacketParser.segmentType(p, typeStart, bar2)
        switch StatsdPacketParser.value(p, s, bar1, type) {
        case let .failure(reason): return reason
        case let .success(value):
            StatsdPacketParser.apply(type.kind, p, s, bar1, value: value, rate: rate,
                                     name: name, nameLength: nameLength, hash: hash, into: &table)
            return nil
        }
    }

    @inline(__always)
    static func segmentType(_ p: UnsafePointer<UInt8>, _ typeStart: Int, _ typeEnd: Int) -> SegmentType {
        let typeLength = typeEnd - typeStart
        let rawIsSet = typeLength == 1 && p[typeStart] == 0x73
        let rawIsTimer = typeLength == 2 && p[typeStart] == 0x6D && p[typeStart + 1] == 0x73
        let kind: Kind
        if rawIsSet { kind = .set } else if rawIsTimer { kind = .timer } else {
            let (ts, te) = JavaScriptWhitespace.trim(p, typeStart, typeEnd)
            switch te - ts {
            case 1:
                switch p[ts] {
                case 0x67: kind = .gauge
                case 0x73: kind = .set
                case 0x68, 0x64: kind = .timer  // Stoker: h and d are timers
                default: kind = .counter
                }
            case 2: kind = p[ts] == 0x6D && p[ts + 1] == 0x73 ? .timer : .counter
            default: kind = .counter
            }
        }
        return SegmentType(kind: kind, rawIsSet: rawIsSet, rawIsTimer: rawIsTimer)
    }

    /// A segment's value, validated by its raw type (a set's member is not a number: 0).
    @inline(__always)
    static func value(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ type: SegmentType) -> Result<Double, BadLineReason> {
        if type.rawIsSet { return .success(0) }
        guard let v = JavaScriptNumber.isNumber(p, s, e) else { return .failure(.invalidValue) }
        if type.rawIsTimer && !(v >= 0) { return .failure(.negativeTimerValue) }
        return .success(v)
    }

    /// Applies one validated value `p[s..<e]` of a sample.
    @inline(__always)
    static func apply(_ kind: Kind, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, value: Double, rate: Double,
                      name: UnsafeRawPointer, nameLength: Int, hash: UInt64, into table: inout AggregationTable) {
        switch kind {
        case .counter:
            table.addCounter(name, nameLength, hash: hash, value * (1 / rate))
        case .timer:
            table.addTimer(name, nameLength, hash: hash, value, weight: 1 / rate)
        case .gauge:
            let signed = e > s && (p[s] == 0x2B || p[s] == 0x2D)
            table.applyGauge(name, nameLength, hash: hash, value, signed: signed)
        case .set:
            let member: SetMember?
            if e == s {
                member = SetMember("0")
            } else if e - s == 9 && StatsdPacketParser.isProto(p, s) {
                member = nil
            } else {
                member = SetMember(p + s, e - s)
            }
            table.addSetMember(name, nameLength, hash: hash, member: member)
        }
    }

    /// `__proto__`, which statsd's object-backed sets silently do not store.
    private static func isProto(_ p: UnsafePointer<UInt8>, _ s: Int) -> Bool {
        let word: StaticString = "__proto__"
        let w = word.utf8Start
        for k in 0..<9 where p[s + k] != w[k] { return false }
        return true
    }

    /// Stoker's sample rate: `@` then a number that starts with a digit or `.`, read whole by
    /// JavaScript's `Number()`, finite and above 0.
    @inline(__always)
    static func sampleRate(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        guard e - s >= 2, p[s] == 0x40 else { return nil }
        let first = p[s + 1]
        guard first &- 0x30 < 10 || first == 0x2E else { return nil }
        guard let r = JavaScriptNumber.parse(p, s + 1, e), r.isFinite, r > 0 else { return nil }
        return r
    }
}
