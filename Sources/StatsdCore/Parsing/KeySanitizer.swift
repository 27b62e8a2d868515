/// statsd's `keyNameSanitize` over UTF-8 bytes, in statsd's order: every run of JavaScript white
/// space becomes one `_`, every `/` becomes `-`, and every character outside
/// `A-Z a-z 0-9 _ - . ; =` is deleted (non-ASCII and invalid bytes included). A deleted
/// character still ends a white-space run (`a é b` gives `a__b`).
public enum KeySanitizer {
    /// Whether the byte is kept unchanged by the sanitiser.
    @inline(__always)
    static func isPlain(_ b: UInt8) -> Bool { plainTable[Int(b)] }

    private static let plainTable: [Bool] = (0..<256).map { b in
        switch UInt8(b) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// True when sanitising would change nothing.
    @inline(__always)
    static func isClean(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            if !plainTable[Int(p[i])] { return false }
            i += 1
        }
        return true
    }

    /// Sanitises `[start, end)` of `p`, writing to `out` (which may be `p + start`: the output is
    /// never longer than the input and never overtakes it). Returns the output length.
    static func sanitize(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var i = start
        var n = 0
        var inWhitespace = false
        while i < end {
            let b = p[i]
            if b < 0x80 {
                if plainTable[Int(b)] {
                    out[n] = b; n += 1; inWhitespace = false
                } else if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                    if !inWhitespace { out[n] = 0x5F; n += 1; inWhitespace = true }
                } else if b == 0x2F {
                    out[n] = 0x2D; n += 1; inWhitespace = false
                } else {
                    inWhitespace = false
                }
                i += 1
            } else {
                let w = JavaScriptWhitespace.multiByteLength(at: i, in: p, end: end)
                if w > 0 {
                    if !inWhitespace { out[n] = 0x5F; n += 1; inWhitespace = true }
                    i += w
                } else {
                    inWhitespace = false
                    i += 1
                }
            }
        }
        return n
    }

    /// The sanitised form of a string (used for output names when input sanitising is off).
    public static func sanitize(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let count = bytes.count
        let n = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return sanitize(UnsafePointer(base), 0, count, into: base)
        }
        return String(decoding: bytes[0..<n], as: UTF8.self)
    }
}
