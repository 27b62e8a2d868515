/// One node a path query found: graphite's LeafNode or BranchNode.
public struct FindMatch: Sendable, Hashable {
    public var path: String
    public var isLeaf: Bool
    /// A leaf with its file on disk (false: only in the cache so far).
    public var onDisk: Bool

    public init(path: String, isLeaf: Bool, onDisk: Bool) {
        self.path = path
        self.isLeaf = isLeaf
        self.onDisk = onDisk
    }

    /// Python's order of `str`: by code point, which is UTF-8's byte order; a branch before a
    /// leaf of the same path.
    public static func byPath(_ a: FindMatch, _ b: FindMatch) -> Bool {
        if a.path == b.path { return !a.isLeaf && b.isLeaf }
        return a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
    }
}
