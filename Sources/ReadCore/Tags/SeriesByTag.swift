import Foundation

/// `seriesByTag('tag=value', "tag2=~re")`: the one render target with a call Stoker resolves
/// itself (graphite-web's store passes it to tag-aware cluster members as it is).
enum SeriesByTag {
    /// The expressions of a `seriesByTag(...)` target; nil for any other target.
    static func expressions(_ target: String) throws(QueryError) -> [String]? {
        let trimmed = target.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("seriesByTag(") else { return nil }
        let invalid = QueryError.invalidParameter(name: "target", value: target,
                                                  reason: "expected seriesByTag('tag=value', ...) with quoted expressions")
        var rest = Substring(trimmed.dropFirst("seriesByTag(".count))
        var expressions: [String] = []
        while true {
            rest = rest.drop { $0 == " " }
            guard let quote = rest.first, quote == "'" || quote == "\"" else { throw invalid }
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: quote) else { throw invalid }
            expressions.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...].drop { $0 == " " }
            if rest.first == "," { rest = rest.dropFirst(); continue }
            guard rest == ")" else { throw invalid }
            break
        }
        guard !expressions.isEmpty else { throw invalid }
        return expressions
    }
}
