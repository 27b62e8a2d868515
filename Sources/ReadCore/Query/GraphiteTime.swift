/// The `from`, `until` and `now` values of graphite-web's views, in the forms its cluster
/// client and most dashboards send (graphite's `parseATTime`, docs/reads.md §4): epoch
/// seconds, `now`, and offsets from now (`-1h`, `now-30min`, `-1d12h`, `+5min`; units s, min,
/// h, d, w, mon = 30 d, y = 365 d). Calendar forms (`20261206`, `noon yesterday`) are refused
/// with a clear error rather than guessed.
public enum GraphiteTime {
    public static func parse(_ raw: String, name: String, now: Int) throws(QueryError) -> Int {
        let text = raw.lowercased().filter { $0 != "_" && $0 != "," && $0 != " " && !$0.isWhitespace }
        let invalid = QueryError.invalidParameter(name: name, value: raw,
                                                  reason: "expected epoch seconds, 'now' or an offset such as -1h")
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            let calendar = text.count == 8 && Int(text.prefix(4))! > 1900 && Int(text.dropFirst(4).prefix(2))! < 13
                && Int(text.suffix(2))! < 32
            guard !calendar, let seconds = Int(text) else { throw invalid }
            return seconds
        }
        let reference: Substring
        let offset: Substring
        if let sign = text.firstIndex(where: { $0 == "+" || $0 == "-" }) {
            reference = text[..<sign]
            offset = text[sign...]
        } else {
            reference = text[...]
            offset = ""
        }
        guard reference.isEmpty || reference == "now" else { throw invalid }
        guard let seconds = offsetSeconds(offset) else { throw invalid }
        return now + seconds
    }

    /// graphite's `parseTimeOffset`: a sign, then number-unit pairs.
    static func offsetSeconds(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return 0 }
        var rest = text
        var sign = 1
        if rest.first == "+" || rest.first == "-" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        var total = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let number = Int(digits), let scale = unitSeconds(unit) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: scale)
            guard !overflow, product < 1 << 40 else { return nil }
            total += sign * product
        }
        return total
    }

    static func unitSeconds(_ unit: Substring) -> Int? {
        if unit.hasPrefix("s") { return 1 }
        if unit.hasPrefix("min") { return 60 }
        if unit.hasPrefix("h") { return 3600 }
        if unit.hasPrefix("d") { return 86400 }
        if unit.hasPrefix("w") { return 7 * 86400 }
        if unit.hasPrefix("mon") { return 30 * 86400 }
        if unit.hasPrefix("y") { return 365 * 86400 }
        return nil
    }
}
