/// Plain (untagged) names with empty components: a leading or trailing `.`, or two in a row.
/// carbon turns every `.` into `/` and the file system ignores the empty parts, so `a..b` and
/// `.a.b` have always been written to `a/b.wsp` (docs/carbon.md §6); Stoker stores
/// such a name under the collapsed `a.b`, the name graphite-web finds that file by. (carbon
/// writes `a.b.` to a hidden `a/b/.wsp` that graphite-web never shows; Stoker to `a/b.wsp`.)
/// Tagged names are left alone: their file is named by the hash of the name as it is.
public enum EmptyComponents {
    /// Whether a name needs collapsing. `bytes` is a name already known to be plain.
    @inline(__always)
    static func present(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        let dot = UInt8(ascii: ".")
        if first == dot || last == dot { return true }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == dot && previous == dot { return true }
            previous = byte
        }
        return false
    }

    /// The name without its empty components (`..a...b.` -> `a.b`); `name` itself when it has
    /// none, is tagged, or would be left empty (such a name is refused where it becomes a path).
    public static func collapsed(_ name: String) -> String {
        var copy = name
        return copy.withUTF8 { bytes -> String in
            let raw = UnsafeRawBufferPointer(bytes)
            guard !raw.contains(UInt8(ascii: ";")), present(raw) else { return name }
            let parts = raw.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: true)
            guard !parts.isEmpty else { return name }
            return parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
        }
    }
}
