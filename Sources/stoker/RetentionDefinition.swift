import Whisper

/// whisper's retention syntax (`parseRetentionDef`): `PRECISION:POINTS`, each either a plain
/// number (seconds, resp. a point count) or a number with a unit given by any prefix of
/// seconds/minutes/hours/days/weeks/years (`60:1440`, `1m:1d`, `10s:6h`, `1min:1d`).
/// A unit on POINTS means a duration, divided (floor) by the precision.
enum RetentionDefinition {
    private static let units: [(name: String, seconds: Int)] = [
        ("seconds", 1), ("minutes", 60), ("hours", 3600),
        ("days", 86400), ("weeks", 86400 * 7), ("years", 86400 * 365),
    ]

    /// Parses every argument; each may itself hold several definitions separated by commas.
    static func parseList(_ arguments: [String]) throws -> [ArchiveSpec] {
        try arguments
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { try parse(String($0)) }
    }

    static func parse(_ definition: String) throws -> ArchiveSpec {
        let trimmed = definition.trimmingWhitespace()
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw CommandFailure("Invalid retention definition '\(definition)'")
        }
        let precisionText = String(trimmed[..<colon])
        let pointsText = String(trimmed[trimmed.index(after: colon)...])

        guard let precision = try seconds(precisionText), precision > 0 else {
            throw CommandFailure("Invalid precision specification '\(precisionText)'")
        }
        let points: Int
        if let count = plainNumber(pointsText) {
            points = count
        } else if let duration = try seconds(pointsText, allowPlain: false) {
            points = duration / precision
        } else {
            throw CommandFailure("Invalid retention specification '\(pointsText)'")
        }
        return ArchiveSpec(secondsPerPoint: precision, points: points)
    }

    /// A step such as whisper-fetch's archive selector: `300`, `5m`, `1hour`.
    static func parsePrecision(_ text: String) throws -> Int {
        guard let step = try seconds(text), step > 0 else {
            throw CommandFailure("Invalid precision specification '\(text)'")
        }
        return step
    }

    /// Seconds for `N` or `N<unit>`; nil when the text has neither shape. An unknown unit or
    /// a number too large is an error of its own, like whisper's "Invalid unit".
    private static func seconds(_ text: String, allowPlain: Bool = true) throws -> Int? {
        if allowPlain, let number = plainNumber(text) { return number }
        guard let unitStart = text.firstIndex(where: { !$0.isASCII || !$0.isNumber }),
              unitStart != text.startIndex,
              let number = plainNumber(String(text[..<unitStart]))
        else { return nil }
        let unit = text[unitStart...]
        guard unit.allSatisfy({ $0 >= "a" && $0 <= "z" }) else { return nil }
        guard let multiplier = units.first(where: { $0.name.hasPrefix(unit) })?.seconds else {
            throw CommandFailure("Invalid unit '\(unit)'")
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw CommandFailure("Invalid retention: '\(text)' is too large") }
        return product
    }

    /// ASCII digits only (Python's `str.isdigit()` on the ASCII range).
    private static func plainNumber(_ text: String) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        guard let value = Int(text) else { return nil }
        return value
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (Python's `str.strip()`).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
