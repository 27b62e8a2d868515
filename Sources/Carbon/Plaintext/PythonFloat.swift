#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Python's `float()` applied to the ASCII text of a number, as carbon parses values and
/// timestamps: optional sign, decimals, exponents, `inf`/`infinity`/`nan` in any case, and
/// `_` between digits (`1_000`). Hex, commas and empty text are refused. (Python also accepts
/// non-ASCII Unicode digits; Stoker refuses them as invalid lines.)
public enum PythonFloat {
    public static func parse(_ text: UnsafeRawBufferPointer) -> Double? {
        let count = text.count
        guard count > 0 else { return nil }
        // Fast path: plain digits (every timestamp and most counter values).
        if count <= 15 {
            var whole = 0
            var plain = true
            for byte in text {
                let digit = Int(byte) &- 48
                if digit < 0 || digit > 9 { plain = false; break }
                whole = whole * 10 + digit
            }
            if plain { return Double(whole) }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { clean -> Double? in
            var n = 0
            var i = 0
            var negative = false
            if text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") {
                negative = text[0] == UInt8(ascii: "-")
                i = 1
            }
            if let special = parseSpecial(text, from: i) {
                return negative ? -special : special
            }
            if negative { clean[n] = 45; n += 1 }
            // digitpart ("." digitpart?)? exponent? with "_" only between two digits
            var digits = 0
            func digitPart() -> Bool {
                let start = digits
                var lastWasDigit = false
                while i < count {
                    let byte = text[i]
                    if byte >= 48 && byte <= 57 {
                        clean[n] = CChar(bitPattern: byte); n += 1; digits += 1; lastWasDigit = true
                    } else if byte == UInt8(ascii: "_") && lastWasDigit && i + 1 < count && text[i + 1] >= 48 && text[i + 1] <= 57 {
                        lastWasDigit = false
                    } else {
                        break
                    }
                    i += 1
                }
                return digits > start
            }
            let integerDigits = digitPart()
            var fractionDigits = false
            if i < count && text[i] == UInt8(ascii: ".") {
                clean[n] = 46; n += 1; i += 1
                fractionDigits = digitPart()
            }
            guard integerDigits || fractionDigits else { return nil }
            if i < count && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
                clean[n] = 101; n += 1; i += 1
                if i < count && (text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-")) {
                    clean[n] = CChar(bitPattern: text[i]); n += 1; i += 1
                }
                guard digitPart() else { return nil }
            }
            guard i == count else { return nil }
            clean[n] = 0
            return strtod(clean.baseAddress!, nil)
        }
    }

    /// `inf`, `infinity`, `nan` in any case, after the sign.
    private static func parseSpecial(_ text: UnsafeRawBufferPointer, from start: Int) -> Double? {
        let length = text.count - start
        guard length == 3 || length == 8 else { return nil }
        var lower: [UInt8] = []
        lower.reserveCapacity(length)
        for i in start..<text.count { lower.append(text[i] | 0x20) }
        switch lower {
        case Array("inf".utf8), Array("infinity".utf8): return .infinity
        case Array("nan".utf8): return .nan
        default: return nil
        }
    }

    public static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}
