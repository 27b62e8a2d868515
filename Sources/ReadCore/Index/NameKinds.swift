/// What a node of the name tree stands for; a name can be a leaf and a branch at once
/// (`a.b` and `a.b.c` both stored), as a file and a directory of one name can be.
public struct NameKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A whisper file on disk.
    public static let leafOnDisk = NameKinds(rawValue: 1)
    /// Points in the cache waiting for their file to be created.
    public static let leafInCache = NameKinds(rawValue: 2)
    /// A directory: names continue below it.
    public static let branch = NameKinds(rawValue: 4)

    public var isLeaf: Bool { !isDisjoint(with: [.leafOnDisk, .leafInCache]) }
    /// Known only from the cache: no file yet.
    public var isWaiting: Bool { contains(.leafInCache) && !contains(.leafOnDisk) }
}
