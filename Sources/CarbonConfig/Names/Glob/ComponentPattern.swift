/// One `.`-separated component of a graphite path query, matched as graphite-web's standard
/// finder matches directory entries (docs/reads.md §2; quota sections use it too, docs/quotas.md): braces expanded first, then each
/// variant is an fnmatch pattern (`*`, `?`, `[...]`); the component matches if any variant
/// does. Matching works on UTF-8 bytes, with `?` and sets taking one whole character, as
/// Python's matching of `str` does.
public struct ComponentPattern: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal([UInt8])
        case anyRun
        case anyOne
        case set(ScalarSet)
    }

    /// Brace-expanded variants, each a token list.
    let variants: [[Token]]
    /// Set when no variant has a wildcard: the exact names to look up.
    public let exactNames: [[UInt8]]?
    /// `**`: any number of components, zero included.
    public let isGlobstar: Bool

    public init(_ component: [UInt8], variantLimit: Int = 1024) throws(GlobError) {
        isGlobstar = component == Array("**".utf8)
        let expanded = try BraceExpansion.expand(component, limit: variantLimit)
        variants = expanded.map(Self.tokens)
        let exact = variants.allSatisfy { tokens in tokens.allSatisfy { if case .literal = $0 { true } else { false } } }
        exactNames = exact ? variants.map { $0.flatMap { token -> [UInt8] in if case let .literal(b) = token { b } else { [] } } } : nil
    }

    public func matches(_ name: UnsafeRawBufferPointer) -> Bool {
        variants.contains { Self.match($0, name) }
    }

    public func matches(_ name: [UInt8]) -> Bool {
        name.withUnsafeBytes { matches($0) }
    }

    /// fnmatch's translation (Python's `fnmatch.translate`): consecutive `*` are one, a `[`
    /// without a closing `]` is a literal `[`.
    static func tokens(_ pattern: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)); literal = [] }
        }
        var i = 0
        let n = pattern.count
        while i < n {
            let c = pattern[i]
            i += 1
            switch c {
            case UInt8(ascii: "*"):
                flush()
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case UInt8(ascii: "?"):
                flush()
                tokens.append(.anyOne)
            case UInt8(ascii: "["):
                var j = i
                if j < n, pattern[j] == UInt8(ascii: "!") { j += 1 }
                if j < n, pattern[j] == UInt8(ascii: "]") { j += 1 }
                while j < n, pattern[j] != UInt8(ascii: "]") { j += 1 }
                if j >= n {
                    literal.append(c)
                } else {
                    flush()
                    let body = String(decoding: pattern[i..<j], as: UTF8.self).unicodeScalars.map(\.value)
                    tokens.append(.set(ScalarSet(body: body)))
                    i = j + 1
                }
            default:
                literal.append(c)
            }
        }
        flush()
        return tokens
    }

    /// Greedy matching with one backtrack point (the last `*`): every other token has a fixed
    /// length in characters, so this is exact.
    static func match(_ tokens: [Token], _ name: UnsafeRawBufferPointer) -> Bool {
        var t = 0, p = 0
        var starToken = -1, starPosition = 0
        while true {
            if t == tokens.count {
                if p == name.count { return true }
            } else if case .anyRun = tokens[t] {
                starToken = t
                starPosition = p
                t += 1
                continue
            } else if let next = step(tokens[t], name, p) {
                t += 1
                p = next
                continue
            }
            guard starToken >= 0, starPosition < name.count else { return false }
            starPosition += scalarLength(name, starPosition)
            t = starToken + 1
            p = starPosition
        }
    }

    /// Where `token` leaves the name if it matches at `p`.
    @inline(__always)
    static func step(_ token: Token, _ name: UnsafeRawBufferPointer, _ p: Int) -> Int? {
        switch token {
        case let .literal(bytes):
            guard name.count - p >= bytes.count else { return nil }
            for k in 0..<bytes.count where name[p + k] != bytes[k] { return nil }
            return p + bytes.count
        case .anyOne:
            return p < name.count ? p + scalarLength(name, p) : nil
        case let .set(set):
            guard p < name.count else { return nil }
            let length = scalarLength(name, p)
            return set.contains(scalarValue(name, p, length)) ? p + length : nil
        case .anyRun:
            return nil
        }
    }

    /// The byte length of the UTF-8 character starting at `p` (1 for a stray byte).
    @inline(__always)
    static func scalarLength(_ bytes: UnsafeRawBufferPointer, _ p: Int) -> Int {
        let lead = bytes[p]
        let length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        return min(length, bytes.count - p)
    }

    static func scalarValue(_ bytes: UnsafeRawBufferPointer, _ p: Int, _ length: Int) -> UInt32 {
        if length == 1 { return UInt32(bytes[p]) }
        var value = UInt32(bytes[p]) & (0xFF >> (length + 1))
        for k in 1..<length { value = value << 6 | UInt32(bytes[p + k] & 0x3F) }
        return value
    }
}
