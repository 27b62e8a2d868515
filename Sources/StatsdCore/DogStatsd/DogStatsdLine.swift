/// The DogStatsD datagram format (protocol versions 1.0 to 1.3, docs/dogstatsd.md), read from
/// the bytes of one line. Only lines Etsy statsd would reject take this path: Etsy-style
/// lines keep statsd's semantics exactly (`usesExtensions`).
enum DogStatsdLine {
    static let bar = UInt8(ascii: "|"), colon = UInt8(ascii: ":"), hash = UInt8(ascii: "#")

    /// A metric line split into byte offsets of the line.
    struct Metric {
        /// End of the key (the first `:`).
        var keyEnd: Int
        /// The packed values, `:`-separated (`name:1:2:3|c` has three): see `forEachValue`.
        var values: Range<Int>
        var type: Range<Int>
        var sampleRate: Double = 1
        /// The tag list after `#`, if any.
        var tags: Range<Int>?
        /// Unix seconds from `|T`.
        var timestamp: Int?
    }

    /// A service check, `_sc|name|status|fields`.
    struct ServiceCheck {
        var name: Range<Int>
        var status: Int
        var timestamp: Int?
        var host: Range<Int>?
        var tags: Range<Int>?
    }

    // MARK: - Which path a line takes

    /// True for a line that uses DogStatsD syntax Etsy statsd rejects: an event or service
    /// check, several values before the type, or after the type a timestamp (`|T…`) or an
    /// extension field (`|c:…`, `|e:…`, `|card:…`, any `|name:…`). Etsy's own multi-segment
    /// lines (`a:1|c:2|ms`, the type followed by `:`) are not.
    @inline(__always)
    static func usesExtensions(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if isEvent(p, n) || isServiceCheck(p, n) { return true }
        var i = 0
        while i < n && p[i] != colon { i += 1 }
        guard i < n else { return false }
        i += 1
        var packed = false
        while i < n && p[i] != bar {
            if p[i] == colon { packed = true }
            i += 1
        }
        guard i < n else { return false }
        if packed { return true }
        i += 1
        while i < n && p[i] != bar {
            if p[i] == colon { return false }
            i += 1
        }
        var found = false
        _ = forEachField(p, from: i, n) { start, end in
            found = isTimestampField(p, start, end) || isExtensionField(p, start, end)
            return found ? .endOfLine : .next
        }
        return found
    }

    enum FieldResult { case next, endOfLine, malformed }

    /// Calls `body` with the bounds of each non-empty `|`-separated field of `p[from..<n]`
    /// (`p[from]` is the `|` before the first); false when `body` found one malformed.
    @inline(__always)
    static func forEachField(_ p: UnsafePointer<UInt8>, from: Int, _ n: Int,
                             _ body: (Int, Int) -> FieldResult) -> Bool {
        var i = from
        while i < n {
            let start = i + 1
            var end = start
            while end < n && p[end] != bar { end += 1 }
            i = end
            guard start < end else { continue }
            switch body(start, end) {
            case .next: continue
            case .endOfLine: return true
            case .malformed: return false
            }
        }
        return true
    }

    static func isEvent(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        n >= 3 && p[0] == UInt8(ascii: "_") && p[1] == UInt8(ascii: "e") && p[2] == UInt8(ascii: "{")
    }

    static func isServiceCheck(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        n >= 4 && p[0] == UInt8(ascii: "_") && p[1] == UInt8(ascii: "s") && p[2] == UInt8(ascii: "c") && p[3] == bar
    }

    /// `T` and digits.
    static func isTimestampField(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        end - start >= 2 && p[start] == UInt8(ascii: "T") && digits(p, start + 1, end) != nil
    }

    /// `name:…` with a name of letters, digits, `_` and `-` starting with a letter.
    static func isExtensionField(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start < end, isLetter(p[start]) else { return false }
        var i = start + 1
        while i < end, isLetter(p[i]) || p[i] &- 0x30 < 10 || p[i] == UInt8(ascii: "_") || p[i] == UInt8(ascii: "-") { i += 1 }
        return i < end && p[i] == colon
    }

    // MARK: - Parsing

    /// Splits a metric line; nil when it is not a well-formed DogStatsD line (then statsd's own
    /// rules judge it).
    static func metric(_ p: UnsafePointer<UInt8>, _ n: Int) -> Metric? {
        var keyEnd = 0
        while keyEnd < n && p[keyEnd] != colon { keyEnd += 1 }
        guard keyEnd < n else { return nil }
        var valuesEnd = keyEnd + 1
        while valuesEnd < n && p[valuesEnd] != bar { valuesEnd += 1 }
        guard valuesEnd < n else { return nil }
        var typeEnd = valuesEnd + 1
        while typeEnd < n && p[typeEnd] != bar { typeEnd += 1 }
        var line = Metric(keyEnd: keyEnd, values: (keyEnd + 1)..<valuesEnd, type: (valuesEnd + 1)..<typeEnd)
        let wellFormed = forEachField(p, from: typeEnd, n) { start, end in
            switch p[start] {
            case UInt8(ascii: "@"):
                guard let rate = StatsdPacketParser.sampleRate(p, start, end) else { return .malformed }
                line.sampleRate = rate
            case hash:
                if line.tags == nil { line.tags = (start + 1)..<end }
            default:
                if isTimestampField(p, start, end) {
                    line.timestamp = digits(p, start + 1, end)
                } else if !isExtensionField(p, start, end) {
                    return .malformed
                }
            }
            return .next
        }
        return wellFormed ? line : nil
    }

    /// `_e{title length,text length}:title|text|d:…|h:…|p:…|t:…|s:…|k:…|#tags`; lengths are
    /// UTF-8 bytes, `\\n` in the text is a line break. Unknown fields are ignored.
    static func event(_ p: UnsafePointer<UInt8>, _ n: Int) -> StatsdEvent? {
        guard isEvent(p, n) else { return nil }
        var i = 3
        guard let titleLength = number(p, &i, n, until: UInt8(ascii: ",")),
              let textLength = number(p, &i, n, until: UInt8(ascii: "}")),
              i < n, p[i] == colon else { return nil }
        let titleStart = i + 1
        let textStart = titleStart + titleLength + 1
        guard titleLength > 0, textStart + textLength <= n, p[textStart - 1] == bar else { return nil }
        let title = String(decoding: UnsafeBufferPointer(start: p + titleStart, count: titleLength), as: UTF8.self)
        let text = String(decoding: UnsafeBufferPointer(start: p + textStart, count: textLength), as: UTF8.self)
        var event = StatsdEvent(title: title, text: text.replacingEscapedNewlines())
        var named: [String] = []
        let fieldsStart = textStart + textLength
        guard fieldsStart == n || p[fieldsStart] == bar else { return nil }
        let wellFormed = forEachField(p, from: fieldsStart, n) { start, end in
            let field = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
            if p[start] == hash {
                event.tags += field.dropFirst().split(separator: ",").map(String.init)
                return .next
            }
            guard end - start >= 2, p[start + 1] == colon else { return .next }
            let value = String(field.dropFirst(2))
            switch p[start] {
            case UInt8(ascii: "d"):
                guard let seconds = digits(p, start + 2, end) else { return .malformed }
                event.timestamp = seconds
            case UInt8(ascii: "h"): named.append("host:" + value)
            case UInt8(ascii: "p"): named.append("priority:" + value)
            case UInt8(ascii: "t"): named.append("alert_type:" + value)
            case UInt8(ascii: "s"): named.append("source:" + value)
            case UInt8(ascii: "k"): named.append("aggregation_key:" + value)
            default: break
            }
            return .next
        }
        guard wellFormed else { return nil }
        event.tags += named
        return event
    }

    /// `_sc|name|status|d:…|h:…|#tags|m:message`; the status is 0 (OK) to 3 (unknown).
    static func serviceCheck(_ p: UnsafePointer<UInt8>, _ n: Int) -> ServiceCheck? {
        guard isServiceCheck(p, n) else { return nil }
        var nameEnd = 4
        while nameEnd < n && p[nameEnd] != bar { nameEnd += 1 }
        guard nameEnd > 4, nameEnd + 1 < n else { return nil }
        let statusDigit = p[nameEnd + 1] &- 0x30
        guard statusDigit <= 3, nameEnd + 2 == n || p[nameEnd + 2] == bar else { return nil }
        var check = ServiceCheck(name: 4..<nameEnd, status: Int(statusDigit))
        let wellFormed = forEachField(p, from: nameEnd + 2, n) { start, end in
            if p[start] == hash {
                check.tags = (start + 1)..<end
            } else if end - start >= 2, p[start + 1] == colon {
                switch p[start] {
                case UInt8(ascii: "d"):
                    guard let seconds = digits(p, start + 2, end) else { return .malformed }
                    check.timestamp = seconds
                case UInt8(ascii: "h"): check.host = (start + 2)..<end
                // The message is the last field and may contain `|`.
                case UInt8(ascii: "m"): return .endOfLine
                default: break
                }
            }
            return .next
        }
        return wellFormed ? check : nil
    }

    /// Calls `body` with the bounds of each value of `values`; false as soon as `body` is.
    @inline(__always)
    static func forEachValue(_ p: UnsafePointer<UInt8>, _ values: Range<Int>, _ body: (Int, Int) -> Bool) -> Bool {
        var start = values.lowerBound
        for i in values.lowerBound...values.upperBound where i == values.upperBound || p[i] == colon {
            guard body(start, i) else { return false }
            start = i + 1
        }
        return true
    }

    // MARK: - Bytes

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- UInt8(ascii: "a") < 26 }

    /// A whole number of at most 12 digits (unix seconds until the year 33658).
    static func digits(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        guard start < end, end - start <= 12 else { return nil }
        var value = 0
        for i in start..<end {
            let digit = p[i] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Digits up to `terminator`, which is consumed.
    private static func number(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int, until terminator: UInt8) -> Int? {
        let start = i
        while i < n && p[i] != terminator { i += 1 }
        guard i < n, let value = digits(p, start, i), value <= 1 << 20 else { return nil }
        i += 1
        return value
    }
}

extension String {
    /// DogStatsD clients send line breaks in event texts as the two characters `\n`.
    func replacingEscapedNewlines() -> String {
        split(separator: "\\n", omittingEmptySubsequences: false).joined(separator: "\n")
    }
}
