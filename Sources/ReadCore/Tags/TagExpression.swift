/// One tag expression of `seriesByTag` and the TagDB API (docs/reads.md §7): `tag=value`,
/// `tag!=value`, `tag=~regex`, `tag!=~regex`, as graphite's `parse_tagspec` reads it
/// (`^([^;!=]+)(!?=~?)([^;]*)$`). A missing tag counts as the empty value; regular expressions
/// are anchored at the start of the value only (Python's `re.match`).
struct TagExpression {
    enum Operator: String { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!=~" }

    let tag: String
    let op: Operator
    let spec: String
    let regex: Regex<AnyRegexOutput>?

    init(_ text: String) throws(QueryError) {
        let invalid = QueryError.invalidParameter(name: "expr", value: text, reason: "Invalid tagspec \(text)")
        guard let operatorStart = text.firstIndex(where: { $0 == "!" || $0 == "=" }), operatorStart != text.startIndex else {
            throw invalid
        }
        let tag = text[..<operatorStart]
        var rest = text[operatorStart...]
        var op = ""
        if rest.first == "!" { op += "!"; rest = rest.dropFirst() }
        guard rest.first == "=" else { throw invalid }
        op += "="
        rest = rest.dropFirst()
        if rest.first == "~" { op += "~"; rest = rest.dropFirst() }
        guard !tag.contains(";"), !rest.contains(";") else { throw invalid }
        self.tag = String(tag)
        self.op = Operator(rawValue: op)!
        spec = String(rest)
        if self.op == .matches || self.op == .notMatches {
            do {
                regex = try Regex(spec)
            } catch {
                throw .invalidParameter(name: "expr", value: text, reason: "invalid regular expression: \(error)")
            }
        } else {
            regex = nil
        }
    }

    /// Whether a value (the empty string for a missing tag) satisfies the expression.
    func accepts(_ value: String) -> Bool {
        switch op {
        case .equal: value == spec
        case .notEqual: value != spec
        case .matches: (try? regex!.prefixMatch(in: value)) != nil
        case .notMatches: (try? regex!.prefixMatch(in: value)) == nil
        }
    }

    /// Series without the tag match it too: at least one expression of a query must not.
    var acceptsEmpty: Bool { accepts("") }
}
