/// JavaScript's white space and line terminators (what `\s`, `trim()` and `Number()` skip),
/// recognised in UTF-8 bytes: TAB, LF, VT, FF, CR, space, U+00A0, U+1680, U+2000-U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
enum JavaScriptWhitespace {
    /// Byte length of the white-space character starting at `i`, or 0.
    @inline(__always)
    static func length(at i: Int, in p: UnsafePointer<UInt8>, end: Int) -> Int {
        let b = p[i]
        if b < 0x80 { return (b == 0x20 || (b >= 0x09 && b <= 0x0D)) ? 1 : 0 }
        return multiByteLength(at: i, in: p, end: end)
    }

    static func multiByteLength(at i: Int, in p: UnsafePointer<UInt8>, end: Int) -> Int {
        let b = p[i]
        if b == 0xC2 { return i + 1 < end && p[i + 1] == 0xA0 ? 2 : 0 }
        guard i + 2 < end else { return 0 }
        let b1 = p[i + 1], b2 = p[i + 2]
        switch b {
        case 0xE1: return b1 == 0x9A && b2 == 0x80 ? 3 : 0
        case 0xE2:
            if b1 == 0x80 { return (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0 }
            return b1 == 0x81 && b2 == 0x9F ? 3 : 0
        case 0xE3: return b1 == 0x80 && b2 == 0x80 ? 3 : 0
        case 0xEF: return b1 == 0xBB && b2 == 0xBF ? 3 : 0
        default: return 0
        }
    }

    /// Byte length of the white-space character ending just before `end`, or 0.
    @inline(__always)
    static func lengthBefore(_ end: Int, in p: UnsafePointer<UInt8>, start: Int) -> Int {
        let b = p[end - 1]
        if b < 0x80 { return (b == 0x20 || (b >= 0x09 && b <= 0x0D)) ? 1 : 0 }
        if end - start >= 2 && p[end - 2] == 0xC2 && b == 0xA0 { return 2 }
        if end - start >= 3 && multiByteLength(at: end - 3, in: p, end: end) == 3 { return 3 }
        return 0
    }

    /// The range `[start, end)` without leading and trailing white space.
    @inline(__always)
    static func trim(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start, e = end
        while s < e {
            let n = length(at: s, in: p, end: e)
            if n == 0 { break }
            s += n
        }
        while e > s {
            let n = lengthBefore(e, in: p, start: s)
            if n == 0 { break }
            e -= n
        }
        return (s, e)
    }
}
