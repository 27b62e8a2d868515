import Glibc

/// A directory held open, so that the files in it are opened by their names alone (`openat`).
/// A writer that opens thousands of files a second in a few directories otherwise has the
/// kernel walk every component of every path again.
///
/// The descriptor follows the directory it was opened on: if that directory is renamed or
/// removed, names are looked up in it still. Whoever keeps one decides when to let it go.
public final class WhisperDirectory {
    public let path: String
    let fd: Int32

    /// Opens `path`, which must be a directory.
    public init(path: String) throws {
        self.path = path
        var flags = O_RDONLY | O_DIRECTORY
        flags |= linuxPathOnly
        fd = try openFile(path, flags: flags)
    }

    /// Opens the directory `name` in `parent`, known by `path`.
    public init(name: String, in parent: WhisperDirectory, path: String) throws {
        self.path = path
        fd = try openFile(name, at: parent.fd, reporting: path, flags: O_RDONLY | O_DIRECTORY | linuxPathOnly)
    }

    deinit { close(fd) }

    /// Whether the directory was removed since it was opened (a name not found in it may
    /// exist in a new directory at the same path).
    public var isRemoved: Bool { (linkCount(fd) ?? 0) == 0 }

    /// The path of `name` in this directory.
    func path(of name: String) -> String {
        Self.path(of: name, in: path)
    }

    /// The path of `name` in the directory at `directory` (one `/` between them).
    public static func path(of name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

extension WhisperFile {
    /// Opens the existing file `name` in `directory` and reads its header, as `open(path:)`.
    /// `path` names the file in errors and for later reopens (default: `name` in the
    /// directory's path; `name` may lead through subdirectories).
    public static func open(name: String, in directory: WhisperDirectory, path: String? = nil, writable: Bool = true,
                            options: WhisperOptions = .init()) throws -> WhisperFile {
        try open(path: path ?? directory.path(of: name), at: directory.fd, name: name, writable: writable, options: options)
    }

    /// Takes a descriptor again, looking `name` up in `directory`, if the file has none
    /// (`closeDescriptor()`); the header is not read again. The caller vouches that the name
    /// there is this file.
    public func reopenDescriptor(name: String, in directory: WhisperDirectory) throws {
        guard fd < 0 else { return }
        fd = try openFile(name, at: directory.fd, reporting: directory.path(of: name),
                          flags: writable ? O_RDWR : O_RDONLY)
        adviseRandomAccess()
    }
}
