/// Prints a Double exactly as JavaScript's `Number.prototype.toString()` does (what statsd
/// writes to carbon): the shortest digits that round-trip, integers without `.0`, `-0` as `0`,
/// plain notation for decimal exponents -7 < k < 21, else `d.ddde+K` / `de-K`.
public enum JavaScriptNumberFormatter {
    public static func string(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        let (digits, n) = shortestDigits(abs(value))
        let k = digits.count
        var out = value < 0 ? "-" : ""
        if k <= n && n <= 21 {
            out += String(decoding: digits, as: UTF8.self)
            out += String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += String(decoding: digits[0..<n], as: UTF8.self)
            out += "."
            out += String(decoding: digits[n...], as: UTF8.self)
        } else if -6 < n && n <= 0 {
            out += "0."
            out += String(repeating: "0", count: -n)
            out += String(decoding: digits, as: UTF8.self)
        } else {
            let e = n - 1
            out += String(decoding: digits[0..<1], as: UTF8.self)
            if k > 1 {
                out += "."
                out += String(decoding: digits[1...], as: UTF8.self)
            }
            out += e > 0 ? "e+" : "e-"
            out += String(abs(e))
        }
        return out
    }

    /// The shortest round-trip decimal digits of a positive finite value and the exponent n
    /// with value = 0.d1d2... x 10^n (Swift's description already picks the shortest, closest
    /// digits, as ECMAScript requires).
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], exponent: Int) {
        let text = Array(value.description.utf8)
        var mantissa = text[...]
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == 0x65 || $0 == 0x45 }) {
            mantissa = text[..<e]
            var rest = text[(e + 1)...]
            var negative = false
            if let sign = rest.first, sign == 0x2B || sign == 0x2D {
                negative = sign == 0x2D
                rest = rest.dropFirst()
            }
            for d in rest { exponent = exponent * 10 + Int(d - 0x30) }
            if negative { exponent = -exponent }
        }
        var digits: [UInt8] = []
        var pointPosition = -1
        for c in mantissa {
            if c == 0x2E { pointPosition = digits.count } else { digits.append(c) }
        }
        if pointPosition < 0 { pointPosition = digits.count }
        var n = pointPosition + exponent
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == 0x30 { leading += 1 }
        digits.removeFirst(leading)
        n -= leading
        while digits.count > 1 && digits.last == 0x30 { digits.removeLast() }
        return (digits, n)
    }
}
