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
}
