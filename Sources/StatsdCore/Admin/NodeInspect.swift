/// Node's `util.inspect` (defaults: breakLength 80, compact 3) for the shapes the admin
/// interface prints: an object of numbers, or an object of arrays of numbers or strings.
public enum NodeInspect {
    static let breakLength = 80
    static let compact = 3
    static let maxArrayLength = 100

    /// A number as inspect shows it (`-0` stays `-0`).
    public static func number(_ value: Double) -> String {
        value == 0 && value.sign == .minus ? "-0" : JavaScriptNumberFormatter.string(value)
    }

    /// A string literal: single quotes unless the text has one (then double quotes, or
    /// backticks), with control characters and the backslash escaped.
    public static func quoted(_ text: String) -> String {
        var quote: Character = "'"
        if text.contains("'") {
            if !text.contains("\"") { quote = "\"" } else if !text.contains("`") && !text.contains("${") { quote = "`" }
        }
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// An object key: bare when it is an identifier, else quoted.
    public static func key(_ name: String) -> String {
        let bytes = Array(name.utf8)
        func isStart(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 || b == 0x5F }
        if let first = bytes.first, isStart(first), bytes.allSatisfy({ isStart($0) || $0 &- 0x30 < 10 }) {
            return name
        }
        return quoted(name)
    }

    /// `{ key: value, ... }` for already formatted values; `values` are formatted at
    /// indentation 2 (use `array(_:indentation:numeric:)` with 2).
    public static func object(_ entries: [(key: String, value: String)], indentation: Int = 0) -> String {
        if entries.isEmpty { return "{}" }
        let output = entries.map { key($0.key) + ": " + $0.value }
        return reduceToSingleString(output, entries: output.count, braces: ("{", "}"), indentation: indentation)
    }

    /// `[ a, b, ... ]` of already formatted elements; numbers are right-aligned when grouped.
    public static func array(_ elements: [String], indentation: Int, numeric: Bool) -> String {
        if elements.isEmpty { return "[]" }
        var output = Array(elements.prefix(maxArrayLength))
        let remaining = elements.count - output.count
        if remaining > 0 { output.append("... \(remaining) more item\(remaining > 1 ? "s" : "")") }
        let entries = output.count
        if entries > 6 { output = group(output, indentation: indentation, numeric: numeric) }
        return reduceToSingleString(output, entries: entries, braces: ("[", "]"), indentation: indentation)
    }

    private static func reduceToSingleString(_ output: [String], entries: Int, braces: (String, String), indentation: Int) -> String {
        if entries == output.count {
            let start = output.count + indentation + braces.0.count + 10
            if isBelowBreakLength(output, start: start) {
                let joined = output.joined(separator: ", ")
                if !joined.contains("\n") { return braces.0 + " " + joined + " " + braces.1 }
            }
        }
        let pad = "\n" + String(repeating: " ", count: indentation)
        return braces.0 + pad + "  " + output.joined(separator: "," + pad + "  ") + pad + braces.1
    }

    private static func isBelowBreakLength(_ output: [String], start: Int) -> Bool {
        var total = output.count + start
        if total + output.count > breakLength { return false }
        for entry in output {
            total += entry.count
            if total > breakLength { return false }
        }
        return true
    }

    /// Node's groupArrayElements: lays long arrays out in aligned columns.
    private static func group(_ output: [String], indentation: Int, numeric: Bool) -> [String] {
        var totalLength = 0
        var maxLength = 0
        let outputLength = output.count > maxArrayLength ? output.count - 1 : output.count
        let separatorSpace = 2
        var dataLength = [Int](repeating: 0, count: outputLength)
        for i in 0..<outputLength {
            let length = output[i].count
            dataLength[i] = length
            totalLength += length + separatorSpace
            if maxLength < length { maxLength = length }
        }
        let actualMax = maxLength + separatorSpace
        guard actualMax * 3 + indentation < breakLength,
              Double(totalLength) / Double(actualMax) > 5 || maxLength <= 6 else { return output }
        let averageBias = (Double(actualMax) - Double(totalLength) / Double(output.count)).squareRoot()
        let biasedMax = max(Double(actualMax) - 3 - averageBias, 1)
        let columns = min(
            Int(TimerStatistics.jsRound((2.5 * biasedMax * Double(outputLength)).squareRoot() / biasedMax)),
            (breakLength - indentation) / actualMax,
            compact * 4,
            15
        )
        guard columns > 1 else { return output }
        var maxLineLength: [Int] = []
        for i in 0..<columns {
            var lineLength = 0
            var j = i
            while j < outputLength {
                if dataLength[j] > lineLength { lineLength = dataLength[j] }
                j += columns
            }
            maxLineLength.append(lineLength + separatorSpace)
        }
        func padStart(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        func padEnd(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var grouped: [String] = []
        var i = 0
        while i < outputLength {
            let maxIndex = min(i + columns, outputLength)
            var line = ""
            var j = i
            while j < maxIndex - 1 {
                let cell = output[j] + ", "
                line += numeric ? padStart(cell, maxLineLength[j - i]) : padEnd(cell, maxLineLength[j - i])
                j += 1
            }
            if numeric {
                line += padStart(output[j], maxLineLength[j - i] - separatorSpace)
            } else {
                line += output[j]
            }
            grouped.append(line)
            i += columns
        }
        if output.count > outputLength { grouped.append(output[outputLength]) }
        return grouped
    }
}
