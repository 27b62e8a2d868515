import Glibc

/// Switches whisper.py keeps as module globals (carbon's WHISPER_* settings).
public struct WhisperOptions: Sendable, Equatable {
    /// flock(LOCK_EX) around every write operation (WHISPER_LOCK_WRITES).
    public var lockWrites: Bool
    /// fsync after every write operation (WHISPER_AUTOFLUSH).
    public var autoflush: Bool
    /// posix_fadvise(RANDOM) when a descriptor is opened (WHISPER_FADVISE_RANDOM).
    public var fadviseRandom: Bool

    public init(lockWrites: Bool = false, autoflush: Bool = false, fadviseRandom: Bool = false) {
        self.lockWrites = lockWrites
        self.autoflush = autoflush
        self.fadviseRandom = fadviseRandom
    }
}

/// One point to store: whisper truncates timestamps to whole seconds (Python `int()`).
public struct WhisperPoint: Hashable, Sendable {
    public var timestamp: Int
    public var value: Double

    public init(timestamp: Int, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// An open whisper database: the parsed header and each archive's base interval stay in
/// memory, so an update costs only the writes it makes (whisper.py re-reads both every call).
///
/// The descriptor can be released with `closeDescriptor()` while the header is kept; the next
/// operation reopens the file. This is how a writer handles more files than the process may
/// hold open. One handle is used by one thread at a time.
public final class WhisperFile {
    public let path: String
    public private(set) var header: WhisperHeader
    public let options: WhisperOptions
    let writable: Bool
    var fd: Int32
    /// Interval stored in each archive's first slot; 0 = the archive is empty (or not read yet).
    var bases: [Int]

    init(path: String, header: WhisperHeader, fd: Int32, writable: Bool, options: WhisperOptions) {
        self.path = path
        self.header = header
        self.fd = fd
        self.writable = writable
        self.options = options
        self.bases = Array(repeating: 0, count: header.archives.count)
    }

    deinit { closeDescriptor() }

    /// Opens an existing file and reads its header. `writable: false` opens read-only (fetch and
    /// info never need more).
    public static func open(path: String, writable: Bool = true, options: WhisperOptions = .init()) throws -> WhisperFile {
        try open(path: path, at: AT_FDCWD, name: path, writable: writable, options: options)
    }

    /// Opens `name` relative to the directory descriptor `directory` (or the working directory,
    /// `AT_FDCWD`); `path` names the file in errors and for later reopens.
    static func open(path: String, at directory: Int32, name: String, writable: Bool, options: WhisperOptions) throws -> WhisperFile {
        let fd = try openFile(name, at: directory, reporting: path, flags: writable ? O_RDWR : O_RDONLY)
        do {
            let (header, bases) = try readHeader(fd: fd, path: path)
            let file = WhisperFile(path: path, header: header, fd: fd, writable: writable, options: options)
            file.bases = bases
            file.adviseRandomAccess()
            return file
        } catch {
            close(fd)
            throw error
        }
    }

    /// The header, and the base interval of each archive whose first slot the same read
    /// covered (0 = not read: `base(of:fd:)` reads it when first needed).
    static func readHeader(fd: Int32, path: String) throws -> (WhisperHeader, [Int]) {
        let size = try fileSize(fd, path: path)
        // One read covers the header of any file with up to 20 archives (more re-read below),
        // and the first archive's base right after it: a writer opening many files pays a
        // system call and every byte the kernel copies.
        return try withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { buffer in
            let got = try preadFully(fd, buffer, at: 0, path: path)
            let read = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            let meta = try WhisperHeader.parseMetadata(read, path: path)
            let needed = WhisperHeader.size(archiveCount: meta.archiveCount)
            let header: WhisperHeader
            if needed <= got {
                header = try WhisperHeader(parsing: read, fileSize: size, path: path)
            } else {
                guard needed <= size else {
                    throw WhisperError.corrupt(path: path, reason: "Unable to read archive metadata: header needs \(needed) bytes, file has \(size)")
                }
                var bytes = [UInt8](repeating: 0, count: needed)
                try bytes.withUnsafeMutableBytes { try preadExactly(fd, $0, at: 0, path: path) }
                header = try bytes.withUnsafeBytes { try WhisperHeader(parsing: $0, fileSize: size, path: path) }
            }
            let bases = header.archives.map { archive in
                archive.offset + 4 <= got ? Int(read.loadBigEndianUInt32(at: archive.offset)) : 0
            }
            return (header, bases)
        }
    }

    /// Whether the file held open was deleted (no name leads to it any more); false when no
    /// descriptor is held.
    public var isDeleted: Bool { fd >= 0 && linkCount(fd) == 0 }

    /// Whether a descriptor is currently held.
    public var isDescriptorOpen: Bool { fd >= 0 }

    /// Releases the descriptor; the header and bases stay cached and the next operation reopens.
    public func closeDescriptor() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    /// The descriptor, reopening the file if it was released.
    @inline(__always)
    func descriptor() throws -> Int32 {
        if fd >= 0 { return fd }
        fd = try openFile(path, flags: writable ? O_RDWR : O_RDONLY)
        adviseRandomAccess()
        return fd
    }

    func adviseRandomAccess() {
        if options.fadviseRandom { _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_RANDOM)) }
    }

    /// Runs a write operation with the configured lock and flush around it.
    @inline(__always)
    func writeOperation<T>(_ body: (Int32) throws -> T) throws -> T {
        let fd = try descriptor()
        if options.lockWrites { try lockExclusive(fd, path: path) }
        defer { if options.lockWrites { unlock(fd) } }
        let result = try body(fd)
        if options.autoflush { try syncToDisk(fd, path: path) }
        return result
    }

    /// The base interval of archive `index`, read from disk while the archive is empty.
    @inline(__always)
    func base(of index: Int, fd: Int32) throws -> Int {
        if bases[index] != 0 { return bases[index] }
        var interval: UInt32 = 0
        try withUnsafeMutableBytes(of: &interval) { raw in
            try preadExactly(fd, raw, at: header.archives[index].offset, path: path)
        }
        bases[index] = Int(UInt32(bigEndian: interval))
        return bases[index]
    }

    /// Byte offset of the slot for aligned `interval` in archive `index` (ring addressing with
    /// floor arithmetic, docs/whisper.md §2); slot 0 when the archive is empty.
    @inline(__always)
    func slotOffset(archive: ArchiveInfo, base: Int, interval: Int) -> Int {
        guard base != 0 else { return archive.offset }
        return archive.offset + floorMod(floorDiv(interval - base, archive.secondsPerPoint), archive.points) * WhisperHeader.pointSize
    }

    /// Rewrites the aggregation method (and optionally xFilesFactor) in the header, as
    /// whisper's setAggregationMethod does; returns the previous method.
    @discardableResult
    public func setAggregationMethod(_ method: AggregationMethod, xFilesFactor: Double? = nil) throws -> AggregationMethod {
        if let xff = xFilesFactor, !(xff >= 0 && xff <= 1) {
            throw WhisperError.invalidConfiguration("Invalid xFilesFactor \(xff), not between 0 and 1")
        }
        return try writeOperation { fd in
            var bytes = [UInt8](repeating: 0, count: WhisperHeader.metadataSize)
            try bytes.withUnsafeMutableBytes { try preadExactly(fd, $0, at: 0, path: path) }
            let meta = try bytes.withUnsafeBytes { try WhisperHeader.parseMetadata($0, path: path) }
            var updated = header
            updated.aggregationMethod = method
            updated.xFilesFactor = xFilesFactor.map { Float($0) } ?? meta.xff
            updated.maxRetention = meta.maxRetention
            bytes.withUnsafeMutableBytes { raw in
                updated.encodeMetadata(into: raw)
                // The archive count is kept as found on disk, like whisper.
                raw.storeBigEndian(UInt32(meta.archiveCount), at: 12)
            }
            try bytes.withUnsafeBytes { try pwriteFully(fd, $0, at: 0, path: path) }
            header = updated
            return meta.method
        }
    }

    /// The file's layout and settings, as whisper.info reports them.
    public var info: WhisperInfo { WhisperInfo(header: header) }
}
