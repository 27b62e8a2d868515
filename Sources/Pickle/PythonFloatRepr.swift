extension PythonFloatSyntax {
    /// `repr(float)`: the shortest digits that round-trip, fixed notation when the decimal
    /// exponent lies in [-4, 16), else `d.ddde±XX`; `nan`, `inf`, `-inf` for the specials.
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, exponent) = shortestDigits(value)
        // value = 0.d1d2d3... × 10^(exponent + 1); Python calls exponent + 1 "decpt".
        let decpt = exponent + 1
        var text = negative ? "-" : ""
        if decpt > -4 && decpt <= 16 {
            if decpt <= 0 {
                text += "0." + String(repeating: "0", count: -decpt) + digits
            } else if decpt >= digits.count {
                text += digits + String(repeating: "0", count: decpt - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: decpt)
                text += digits[..<split] + "." + digits[split...]
            }
        } else {
            text += String(digits.first!)
            if digits.count > 1 { text += "." + digits.dropFirst() }
            let magnitude = abs(exponent)
            text += (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        return text
    }

    /// Decomposes a finite non-zero value into sign, significant digits (no leading or trailing
    /// zeros) and the decimal exponent of the first digit. Swift's `description` already
    /// yields the shortest round-trip digits; only its layout is re-done here.
    private static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = Substring(value.description)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponentPart = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        let integerPart: Substring
        let fractionPart: Substring
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        } else {
            integerPart = text
            fractionPart = ""
        }
        var all = Array(integerPart + fractionPart)
        // Position of the decimal point within `all`, then strip zeros on both sides.
        var point = integerPart.count
        while all.first == "0" {
            all.removeFirst()
            point -= 1
        }
        while all.last == "0" { all.removeLast() }
        return (negative, String(all), point + exponentPart - 1)
    }
}
