import Crypto

/// Where a metric's whisper file lives, as carbon's `WhisperDatabase.getFilesystemPath`
/// (via `TaggedSeries.encode`) decides:
/// * plain names: every `.` becomes `/`, then `.wsp` (`a.b.c` → `a/b/c.wsp`);
/// * tagged names (containing `;` once normalised): `_tagged/h[0:3]/h[3:6]/LEAF.wsp` with `h`
///   the lower-case hex SHA-256 of the UTF-8 normalised name and LEAF either `h`
///   (`TAG_HASH_FILENAMES = True`, carbon's default) or the name with `.` → `_DOT_`.
///
/// Stricter than carbon: names that would give an absolute path or empty components
/// (`a//b`, `a/../b`; `.` and `..` in a name can only end up as those), or that contain NUL,
/// are refused (`MetricPathError`) rather than written to a surprising place. Plain names
/// whose empty components come from dots alone (`a..b`, `.a`, `a.`) never get here: the
/// receive path stores them under the collapsed name (`EmptyComponents`), carbon's file. A hashed tagged path is always well formed, so only empty names and NUL
/// are refused there.
public enum MetricPath {
    /// The series a file found under the data directory stores, given as the walk's dotted name
    /// (`DataDirectoryWalk`): a plain name as it is; a tagged one's readable leaf decoded
    /// (`_DOT_` back to `.`); nil for a hashed tagged file, whose name cannot be recovered.
    public static func seriesName(ofWalkedLeaf leaf: String) -> String? {
        guard leaf.hasPrefix("_tagged.") else { return leaf }
        guard let last = leaf.split(separator: ".").last, last.contains(";") else { return nil }
        return String(last.replacing("_DOT_", with: "."))
    }

    /// The file path relative to the data directory for `metric`, normalised first
    /// (`MetricName.normalize`) as carbon does before anything is stored.
    public static func relativePath(for metric: String, hashTaggedNames: Bool = true) throws(MetricPathError) -> String {
        guard !metric.isEmpty else { throw .emptyName }
        guard !metric.utf8.contains(0) else { throw .containsNUL(name: metric) }
        let name = MetricName.normalize(metric)
        let bytes = Array(name.utf8)
        let hashed = hashTaggedNames && bytes.contains(UInt8(ascii: ";"))
        guard hashed || bytes.first != UInt8(ascii: "/") else { throw .absolute(name: metric) }

        if bytes.contains(UInt8(ascii: ";")) {
            let hash = hexSHA256(bytes)
            let directory = "_tagged/\(hash.prefix(3))/\(hash.dropFirst(3).prefix(3))/"
            if hashTaggedNames { return directory + hash + ".wsp" }
            let leaf = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
                .joined(separator: "_DOT_")
            // The leaf has no dots left, but a `/` in the name still makes directories.
            try checkComponents(Array(leaf.utf8), name: metric)
            return directory + leaf + ".wsp"
        }

        var path = bytes
        for index in path.indices where path[index] == UInt8(ascii: ".") {
            path[index] = UInt8(ascii: "/")
        }
        try checkComponents(path, name: metric)
        return String(decoding: path, as: UTF8.self) + ".wsp"
    }

    /// `relativePath` joined to `dataDirectory` (one `/` between them).
    public static func filePath(for metric: String, dataDirectory: String, hashTaggedNames: Bool = true)
        throws(MetricPathError) -> String
    {
        let relative = try relativePath(for: metric, hashTaggedNames: hashTaggedNames)
        if dataDirectory.isEmpty { return relative }
        return dataDirectory.hasSuffix("/") ? dataDirectory + relative : dataDirectory + "/" + relative
    }

    /// Refuses empty components of a `/`-separated path in which every `.` has already been
    /// replaced: that is also what `.` and `..` in a name turn into, so no component can be
    /// `.` or `..` and none can climb out of the data directory.
    private static func checkComponents(_ path: [UInt8], name: String) throws(MetricPathError) {
        var previous = UInt8(ascii: "/")
        for byte in path {
            if byte == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { throw .emptyComponent(name: name) }
            previous = byte
        }
        if previous == UInt8(ascii: "/") { throw .emptyComponent(name: name) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of the SHA-256 of `bytes`.
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
