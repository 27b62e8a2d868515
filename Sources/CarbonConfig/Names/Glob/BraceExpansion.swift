/// graphite-web's `expand_braces` (docs/reads.md §2; quota sections use it too, docs/quotas.md): the leftmost innermost `{...}` group (no
/// braces inside) is replaced by each of its comma-separated alternatives, recursively, and
/// equal results are kept once. A brace without its partner stays a literal character.
enum BraceExpansion {
    /// The variants of one path component, at most `limit` of them (a pattern like
    /// `{a,b}{c,d}...` doubles with every group, so the count is checked as it grows).
    static func expand(_ pattern: [UInt8], limit: Int) throws(GlobError) -> [[UInt8]] {
        var done: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var pending: [[UInt8]] = [pattern]
        while let current = pending.popLast() {
            guard let group = innermostGroup(current) else {
                if seen.insert(current).inserted { done.append(current) }
                continue
            }
            let head = current[..<group.lowerBound]
            let tail = current[(group.upperBound + 1)...]
            let inside = current[(group.lowerBound + 1)..<group.upperBound]
            for alternative in inside.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                pending.append(Array(head) + Array(alternative) + Array(tail))
            }
            guard pending.count + done.count <= limit else { throw .tooManyVariants(limit: limit) }
        }
        return done
    }

    /// The range from a `{` to the first `}` after it with no `{` between: the leftmost match
    /// of the regex `\{([^{}]*)\}`.
    static func innermostGroup(_ bytes: [UInt8]) -> Range<Int>? {
        var open: Int?
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "{"): open = index
            case UInt8(ascii: "}"): if let start = open { return start..<index }
            default: break
            }
        }
        return nil
    }
}
