import Glibc

/// How a new file's data area is allocated. The bytes read back are zeros in every case.
public enum WhisperAllocation: String, Sendable, CaseIterable {
    /// Write zeros (whisper's default): slow, but no surprise ENOSPC later.
    case zeroed
    /// Only set the file size (WHISPER_SPARSE_CREATE): fastest, blocks allocated on write.
    case sparse
    /// posix_fallocate the data area (WHISPER_FALLOCATE_CREATE); falls back to zeros where the
    /// filesystem cannot.
    case fallocate
}

extension WhisperFile {
    /// Creates a whisper file as `whisper.create` does and returns it open for writing.
    /// The archive list is validated and sorted first; an existing path is refused. If writing
    /// fails part-way (a full disk), the partial file is removed so it cannot block the metric
    /// later with "Unable to read header".
    public static func create(
        path: String,
        archives: [ArchiveSpec],
        xFilesFactor: Double = 0.5,
        aggregationMethod: AggregationMethod = .average,
        allocation: WhisperAllocation = .zeroed,
        options: WhisperOptions = .init()
    ) throws -> WhisperFile {
        let specs = try ArchiveSpec.validated(archives)
        guard xFilesFactor >= 0, xFilesFactor <= 1 else {
            throw WhisperError.invalidConfiguration("xFilesFactor \(xFilesFactor) must be between 0 and 1")
        }
        let header = WhisperHeader(archives: specs, xFilesFactor: Float(xFilesFactor), aggregationMethod: aggregationMethod)
        let fd = try openFile(path, flags: O_RDWR | O_CREAT | O_EXCL)
        do {
            if options.lockWrites { try lockExclusive(fd, path: path) }
            try header.encoded().withUnsafeBytes { try pwriteFully(fd, $0, at: 0, path: path) }
            try allocateData(fd: fd, from: header.size, to: header.fileSize, allocation: allocation, path: path)
            if options.autoflush { try syncToDisk(fd, path: path) }
            if options.lockWrites { unlock(fd) }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        let file = WhisperFile(path: path, header: header, fd: fd, writable: true, options: options)
        return file
    }

    private static func allocateData(fd: Int32, from start: Int, to end: Int, allocation: WhisperAllocation, path: String) throws {
        guard end > start else { return }
        switch allocation {
        case .sparse:
            guard ftruncate(fd, off_t(end)) == 0 else {
                throw WhisperError.io(path: path, operation: "ftruncate", errno: errno)
            }
        case .fallocate:
            let rc = posix_fallocate(fd, off_t(start), off_t(end - start))
            if rc == 0 { return }
            if rc != EOPNOTSUPP && rc != EINVAL { throw WhisperError.io(path: path, operation: "fallocate", errno: rc) }
            try writeZeros(fd: fd, from: start, to: end, path: path)
        case .zeroed:
            try writeZeros(fd: fd, from: start, to: end, path: path)
        }
    }

    private static func writeZeros(fd: Int32, from start: Int, to end: Int, path: String) throws {
        let chunk = 65536
        try withUnsafeTemporaryAllocation(byteCount: min(chunk, end - start), alignment: 16) { zeros in
            zeros.initializeMemory(as: UInt8.self, repeating: 0)
            var at = start
            while at < end {
                let n = min(zeros.count, end - at)
                try pwriteFully(fd, UnsafeRawBufferPointer(rebasing: zeros[0..<n]), at: at, path: path)
                at += n
            }
        }
    }
}
