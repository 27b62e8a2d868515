import Glibc

extension WhisperFile {
    /// The base interval of each archive as this handle last knew it (0: not known; read from
    /// disk when first needed).
    public var knownBases: [Int] { bases }

    /// A handle on the file `name` in `directory` (by `path` when no directory is held) with
    /// a header and bases kept from an earlier handle of the same file: no header read, so an
    /// update costs its writes, plus the open and the close unless `descriptor` is one kept
    /// open (the handle takes it over). The caller vouches that the file is the one those
    /// came from (only it rewrites headers, and it forgets what it kept when they change).
    public static func reopen(path: String, name: String, in directory: WhisperDirectory?, descriptor: Int32 = -1,
                              header: WhisperHeader, bases: [Int], writable: Bool = true,
                              options: WhisperOptions = .init()) throws -> WhisperFile {
        let fd: Int32
        if descriptor >= 0 {
            fd = descriptor
        } else {
            let flags = writable ? O_RDWR : O_RDONLY
            fd = try directory.map { try openFile(name, at: $0.fd, reporting: path, flags: flags) } ?? openFile(path, flags: flags)
        }
        let file = WhisperFile(path: path, header: header, fd: fd, writable: writable, options: options)
        if bases.count == header.archives.count { file.bases = bases }
        if descriptor < 0 { file.adviseRandomAccess() }
        return file
    }

    /// Hands the descriptor over to the caller (-1 if none is held); the handle holds none
    /// after this and the caller closes it.
    public func relinquishDescriptor() -> Int32 {
        defer { fd = -1 }
        return fd
    }

    /// Whether the file open on `descriptor` was deleted (no name leads to it any more).
    public static func isDeleted(descriptor: Int32) -> Bool {
        descriptor >= 0 && linkCount(descriptor) == 0
    }
}
