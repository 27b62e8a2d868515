import Glibc

/// JavaScript's `Number(string)` over bytes: surrounding white space is trimmed, empty text is
/// 0, and the accepted forms are decimal literals (`5`, `-.5`, `5.`, `1e-3`), `Infinity` with an
/// optional sign, and unsigned `0x`/`0o`/`0b` integers. Everything else is NaN, returned as nil.
public enum JavaScriptNumber {
    /// `Number(text)`, or nil where JavaScript gives NaN.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return parse(base.assumingMemoryBound(to: UInt8.self), 0, bytes.count)
    }

    /// `Number(text)` for a Swift string (tests, configuration).
    public static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// statsd's `isNumber`: non-empty text that `Number()` does not turn into NaN.
    static func isNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard end > start else { return nil }
        return parse(p, start, end)
    }

    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        // Fast path: [-]digits[.digits] with at most 15 digits, no white space.
        var i = start
        var negative = false
        if i < end && p[i] == 0x2D { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDot = false
        var plain = i < end
        while i < end {
            let c = p[i]
            if c &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                digits += 1
                if sawDot { fractionDigits += 1 }
            } else if c == 0x2E && !sawDot {
                sawDot = true
            } else {
                plain = false
                break
            }
            i += 1
        }
        if plain && digits > 0 && digits <= 15 && !(sawDot && digits == 0) {
            var value = Double(mantissa)
            if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
            return negative ? -value : value
        }
        return slowParse(p, start, end)
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var v = 1.0
        for _ in 0..<exponent { v *= 10 }
        return v
    }

    private static func slowParse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let (s, e) = JavaScriptWhitespace.trim(p, start, end)
        if s == e { return 0 }
        // Radix literals: 0x / 0o / 0b, unsigned only.
        if e - s > 2 && p[s] == 0x30 {
            let marker = p[s + 1] | 0x20
            let radix: UInt64 = marker == 0x78 ? 16 : marker == 0x6F ? 8 : marker == 0x62 ? 2 : 0
            if radix != 0 { return parseRadix(p, s + 2, e, radix) }
        }
        var i = s
        var negative = false
        if p[i] == 0x2B || p[i] == 0x2D {
            negative = p[i] == 0x2D
            i += 1
        }
        if e - i == 8 && matches(p, i, "Infinity") { return negative ? -.infinity : .infinity }
        // Decimal grammar: digits [. digits] | . digits, then optional exponent.
        var mantissaDigits = 0
        while i < e && p[i] &- 0x30 < 10 { i += 1; mantissaDigits += 1 }
        if i < e && p[i] == 0x2E {
            i += 1
            while i < e && p[i] &- 0x30 < 10 { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < e && (p[i] | 0x20) == 0x65 {
            i += 1
            if i < e && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            var exponentDigits = 0
            while i < e && p[i] &- 0x30 < 10 { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard i == e else { return nil }
        return strtodCopy(p, s, e)
    }

    private static func matches(_ p: UnsafePointer<UInt8>, _ i: Int, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount where p[i + k] != w[k] { return false }
        return true
    }

    private static func parseRadix(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ radix: UInt64) -> Double? {
        guard e > s else { return nil }
        var exact: UInt64 = 0
        var overflowed = false
        var value = 0.0
        for i in s..<e {
            let c = p[i]
            let digit: UInt64
            if c &- 0x30 < 10 { digit = UInt64(c &- 0x30) }
            else if (c | 0x20) &- 0x61 < 6 { digit = UInt64((c | 0x20) &- 0x61) + 10 }
            else { return nil }
            guard digit < radix else { return nil }
            if !overflowed {
                let (m, o1) = exact.multipliedReportingOverflow(by: radix)
                let (a, o2) = m.addingReportingOverflow(digit)
                if o1 || o2 { overflowed = true; value = Double(exact) * Double(radix) + Double(digit) }
                else { exact = a }
            } else {
                value = value * Double(radix) + Double(digit)
            }
        }
        return overflowed ? value : Double(exact)
    }

    /// strtod on a NUL-terminated copy (on the stack for short numbers).
    private static func strtodCopy(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Double {
        let n = e - s
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
            for k in 0..<n { buffer[k] = CChar(bitPattern: p[s + k]) }
            buffer[n] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
