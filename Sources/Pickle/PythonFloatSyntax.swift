import Glibc

/// Python's text-to-float rules, for `float(str)`, `float(bytes)` and the protocol-0 FLOAT
/// opcode: optional sign, decimals, exponents, `inf`/`infinity`/`nan` in any case, and `_`
/// between digits (`1_000`). Carbon passes every plaintext value and timestamp and every
/// pickled one through `float()`, so this is also the plaintext receiver's number parser.
/// The text is checked against Python's grammar before the correctly rounded conversion,
/// because C `strtod` alone also accepts extras (hex floats, `nan(…)`) that Python refuses.
public enum PythonFloatSyntax {
    /// `float(s)` for a str; nil where Python raises ValueError.
    public static func parse(_ text: String) -> Double? {
        // Python first maps Unicode whitespace to ' ' and Unicode decimal digits to ASCII
        // digits; any other non-ASCII character makes the text invalid.
        var ascii: [UInt8] = []
        ascii.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                ascii.append(UInt8(scalar.value))
            } else if isUnicodeSpace(scalar) {
                ascii.append(0x20)
            } else if scalar.properties.numericType == .decimal,
                      let digit = scalar.properties.numericValue, digit >= 0, digit <= 9 {
                ascii.append(0x30 + UInt8(digit))
            } else {
                return nil
            }
        }
        return parse(ascii: ascii[...], pythonFloatFunction: true)
    }

    /// Parses ASCII text. With `pythonFloatFunction` (Python's `float()`): surrounding
    /// whitespace and digit-group underscores are accepted and overflow gives ±inf. Without
    /// (the FLOAT opcode, i.e. `PyOS_string_to_double`): neither is accepted and overflow is
    /// an error (nil).
    static func parse(ascii: ArraySlice<UInt8>, pythonFloatFunction: Bool) -> Double? {
        if pythonFloatFunction {
            return ascii.withUnsafeBytes { parse($0) }
        }
        let text = ascii
        guard !text.isEmpty else { return nil }
        var body = text
        var negative = false
        if let first = body.first, first == 0x2B || first == 0x2D {
            negative = first == 0x2D
            body.removeFirst()
        }
        let lowered = String(decoding: body.map { $0 | 0x20 }, as: UTF8.self)
        if lowered == "inf" || lowered == "infinity" { return negative ? -.infinity : .infinity }
        if lowered == "nan" { return negative ? -.nan : .nan }
        guard isDecimalNumber(body) else { return nil }
        guard let value = Double(String(decoding: text, as: UTF8.self)) else { return nil }
        if value.isInfinite && !pythonFloatFunction { return nil }
        return value
    }

    /// `float(b)` for ASCII bytes, without allocating: the receivers' hot path. Surrounding
    /// whitespace is allowed as in Python.
    public static func parse(_ untrimmed: UnsafeRawBufferPointer) -> Double? {
        var low = 0, high = untrimmed.count
        while low < high && isASCIISpace(untrimmed[low]) { low += 1 }
        while high > low && isASCIISpace(untrimmed[high - 1]) { high -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: untrimmed[low..<high])
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

    /// digits [ "." digits ] [ exponent ], with at least one digit in the mantissa.
    private static func isDecimalNumber(_ text: ArraySlice<UInt8>) -> Bool {
        var i = text.startIndex
        var mantissaDigits = 0
        while i < text.endIndex, isDigit(text[i]) { i += 1; mantissaDigits += 1 }
        if i < text.endIndex, text[i] == 0x2E {
            i += 1
            while i < text.endIndex, isDigit(text[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return false }
        if i < text.endIndex, text[i] == 0x65 || text[i] == 0x45 {
            i += 1
            if i < text.endIndex, text[i] == 0x2B || text[i] == 0x2D { i += 1 }
            var exponentDigits = 0
            while i < text.endIndex, isDigit(text[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == text.endIndex
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// C `isspace` in the "C" locale, which is what Python strips from float text.
    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Python's `str.isspace()` for non-ASCII code points (bidi class WS/B/S or category Zs).
    private static func isUnicodeSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
