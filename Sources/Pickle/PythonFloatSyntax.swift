/// Python's text-to-float rules, for `float(str)`, `float(bytes)` and the protocol-0 FLOAT
/// opcode. Swift's `Double(String)` is used only for the correctly rounded conversion, after
/// the text has been checked against Python's grammar, because it also accepts C `strtod`
/// extras (hex floats, `nan(…)`) that Python refuses.
enum PythonFloatSyntax {
    /// `float(s)` for a str; nil where Python raises ValueError.
    static func parse(_ text: String) -> Double? {
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
        var text = ascii
        if pythonFloatFunction {
            if text.contains(0x5F) {
                guard let stripped = removingUnderscores(text) else { return nil }
                text = stripped[...]
            }
            while let first = text.first, isASCIISpace(first) { text.removeFirst() }
            while let last = text.last, isASCIISpace(last) { text.removeLast() }
        }
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

    /// Python allows `_` only between two digits, anywhere in the text (so also in the exponent).
    private static func removingUnderscores(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var previous: UInt8 = 0
        for byte in text {
            if byte == 0x5F {
                guard isDigit(previous) else { return nil }
            } else {
                if previous == 0x5F && !isDigit(byte) { return nil }
                result.append(byte)
            }
            previous = byte
        }
        return previous == 0x5F ? nil : result
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
