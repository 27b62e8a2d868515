/// A `[...]` set of fnmatch (docs/reads.md §2), as Python's `fnmatch.translate` turns it into a
/// regular expression: `!` first negates, `]` or `-` first are literal, `a-z` is a range
/// between code points, an empty range (`z-a`) is removed, and a set left empty never
/// matches while a lone `[!]`-style negation of nothing matches any character.
struct ScalarSet: Sendable, Equatable {
    var negated: Bool
    var singles: [UInt32]
    var ranges: [ClosedRange<UInt32>]
    /// No character at all (an emptied set).
    var matchesNothing: Bool

    func contains(_ scalar: UInt32) -> Bool {
        if matchesNothing { return false }
        let inside = singles.contains(scalar) || ranges.contains { $0.contains(scalar) }
        return inside != negated
    }

    /// `body`: the characters between `[` and its `]`, as code points.
    init(body: [UInt32]) {
        let hyphen = UInt32(UInt8(ascii: "-")), bang = UInt32(UInt8(ascii: "!"))
        var chunks: [[UInt32]]
        if !body.contains(hyphen) {
            chunks = [body]
        } else {
            // Python's chunking: a `-` right after the leading `!` or first character, and one
            // right after a range's end, is literal.
            chunks = []
            var start = 0
            var searchFrom = body.first == bang ? 2 : 1
            while true {
                guard searchFrom < body.count, let dash = body[searchFrom...].firstIndex(of: hyphen) else { break }
                chunks.append(Array(body[start..<dash]))
                start = dash + 1
                searchFrom = dash + 3
            }
            let last = Array(body[min(start, body.count)...])
            if last.isEmpty { chunks[chunks.count - 1].append(hyphen) } else { chunks.append(last) }
            // Remove empty ranges: the two chunks around one merge, losing both ends.
            var k = chunks.count - 1
            while k > 0 {
                if let end = chunks[k - 1].last, let first = chunks[k].first, end > first {
                    chunks[k - 1] = Array(chunks[k - 1].dropLast()) + Array(chunks[k].dropFirst())
                    chunks.remove(at: k)
                }
                k -= 1
            }
        }
        let flat = chunks.joined()
        negated = false
        singles = []
        ranges = []
        matchesNothing = flat.isEmpty && chunks.count <= 1
        if matchesNothing { return }
        if chunks.count == 1, chunks[0] == [bang] {
            negated = true  // `[!]`-like: "not nothing", any character
            return
        }
        if chunks[0].first == bang {
            negated = true
            chunks[0].removeFirst()
        }
        // Between chunk k-1 and chunk k is a range from k-1's last to k's first character.
        for (k, chunk) in chunks.enumerated() {
            var inner = chunk[...]
            if k > 0, let first = inner.first {
                if let low = chunks[k - 1].last { ranges.append(low...first) }
                inner = inner.dropFirst()
            }
            if k < chunks.count - 1 { inner = inner.dropLast() }
            singles.append(contentsOf: inner)
        }
    }
}
