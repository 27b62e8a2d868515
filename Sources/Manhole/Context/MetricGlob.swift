import ManholeLanguage
/// A Graphite-style metric pattern: `.`-separated segments, each matched with `*` (any run
/// within the segment), `?`, `[abc]`/`[a-z]`/`[!a]` and `{alt1,alt2}`. A pattern without any
/// of these matches exactly one name (`literalName`), which callers can look up directly.
public struct MetricGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    /// The patterns after `{}` expansion, split into segments.
    private let alternatives: [[[Character]]]

    public init(_ pattern: String) {
        self.pattern = pattern
        alternatives = Self.expandBraces(pattern).map { expanded in
            expanded.split(separator: ".", omittingEmptySubsequences: false).map { Array($0) }
        }
    }

    public var description: String { pattern }

    /// The one name matched when the pattern has no wildcard.
    public var literalName: String? {
        pattern.contains(where: { "*?[]{}".contains($0) }) ? nil : pattern
    }

    public func matches(_ name: String) -> Bool {
        if let literalName { return name == literalName }
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        return alternatives.contains { alternative in
            alternative.count == segments.count
                && zip(alternative, segments).allSatisfy { Self.match(pattern: $0[...], text: Array($1)[...]) }
        }
    }

    /// `a{b,c}d{e,f}` → abde, abdf, acde, acdf (nested braces work; at most 4096 results).
    static func expandBraces(_ pattern: String) -> [String] {
        let chars = Array(pattern)
        guard let open = chars.firstIndex(of: "{") else { return [pattern] }
        var depth = 0
        var close: Int?
        var commas: [Int] = []
        for index in open..<chars.count {
            switch chars[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = index }
            case "," where depth == 1: commas.append(index)
            default: break
            }
            if close != nil { break }
        }
        guard let close else { return [pattern] }
        let prefix = String(chars[..<open])
        let suffixes = expandBraces(String(chars[(close + 1)...]))
        var bounds = [open] + commas + [close]
        var options: [String] = []
        for i in 0..<(bounds.count - 1) {
            options += expandBraces(String(chars[(bounds[i] + 1)..<bounds[i + 1]]))
        }
        bounds.removeAll()
        var result: [String] = []
        for option in options {
            for suffix in suffixes {
                result.append(prefix + option + suffix)
                if result.count >= 4096 { return result }
            }
        }
        return result
    }

    /// fnmatch for one segment.
    static func match(pattern: ArraySlice<Character>, text: ArraySlice<Character>) -> Bool {
        var p = pattern.startIndex, t = text.startIndex
        var starP: Int?, starT = 0
        while t < text.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == "*" {
                    starP = p
                    starT = t
                    p += 1
                    continue
                }
                if c == "?" {
                    p += 1
                    t += 1
                    continue
                }
                if c == "[", let (matched, next) = matchClass(pattern, p, text[t]) {
                    if matched {
                        p = next
                        t += 1
                        continue
                    }
                } else if c == text[t] {
                    p += 1
                    t += 1
                    continue
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starT += 1
            t = starT
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    /// `[...]` at `start`: whether `char` is in the class, and the index after `]`; nil when the
    /// bracket is not closed (then it is a literal `[`).
    private static func matchClass(_ pattern: ArraySlice<Character>, _ start: Int, _ char: Character) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex, pattern[i] == "!" || pattern[i] == "^" {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == "]" && !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < pattern.endIndex, pattern[i + 1] == "-", pattern[i + 2] != "]" {
                if c <= char && char <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if c == char { matched = true }
                i += 1
            }
        }
        return nil
    }
}
