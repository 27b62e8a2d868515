import Glibc

// Thin wrappers over the system calls the whisper layer needs: every short read or write is
// retried, EINTR is retried, and any other failure becomes a `WhisperError.io` naming the file.

func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code)) + " (errno \(code))"
}

@inline(__always)
func preadFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws -> Int {
    var done = 0
    while done < buffer.count {
        let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if n > 0 {
            done += n
        } else if n == 0 {
            break
        } else if errno != EINTR {
            throw WhisperError.io(path: path, operation: "read", errno: errno)
        }
    }
    return done
}

/// Reads exactly `buffer.count` bytes or reports the file as truncated.
@inline(__always)
func preadExactly(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws {
    let got = try preadFully(fd, buffer, at: offset, path: path)
    guard got == buffer.count else {
        throw WhisperError.corrupt(path: path, reason: "file ends at byte \(offset + got), expected data up to \(offset + buffer.count)")
    }
}

@inline(__always)
func pwriteFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
    var done = 0
    while done < buffer.count {
        let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if n >= 0 {
            done += n
        } else if errno != EINTR {
            throw WhisperError.io(path: path, operation: "write", errno: errno)
        }
    }
}

/// How many names lead to what `fd` holds open (0: deleted); nil when fstat fails.
func linkCount(_ fd: Int32) -> Int? {
    var st = stat()
    return fstat(fd, &st) == 0 ? Int(st.st_nlink) : nil
}

func fileSize(_ fd: Int32, path: String) throws -> Int {
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw WhisperError.io(path: path, operation: "stat", errno: errno) }
    return Int(st.st_size)
}

/// O_NOATIME (glibc defines it only with _GNU_SOURCE, which Swift's Glibc module does not
/// set); the same value on every Linux architecture Swift supports.
let linuxNoAccessTime: Int32 = 0o1000000

/// O_PATH: a directory descriptor only used to look names up needs no read permission.
let linuxPathOnly: Int32 = 0o10000000

func openFile(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
    try openFile(path, at: AT_FDCWD, reporting: path, flags: flags, mode: mode)
}

/// `openat(directory, name)`; errors name the file by `path`.
func openFile(_ name: String, at directory: Int32, reporting path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
    // A writer reads each header once and then only writes: without O_NOATIME, relatime still
    // journals an atime update on every such open (the file's mtime is always newer). The kernel
    // refuses O_NOATIME (EPERM) on files owned by another user: then open them plainly.
    var noatime = (flags & O_ACCMODE) == O_RDWR ? linuxNoAccessTime : 0
    while true {
        let fd = openat(directory, name, flags | O_CLOEXEC | noatime, mode)
        if fd >= 0 { return fd }
        if errno == EINTR { continue }
        if errno == EPERM && noatime != 0 {
            noatime = 0
            continue
        }
        if errno == EEXIST { throw WhisperError.fileExists(path: path) }
        throw WhisperError.io(path: path, operation: "open", errno: errno)
    }
}

func lockExclusive(_ fd: Int32, path: String) throws {
    while flock(fd, LOCK_EX) != 0 {
        if errno != EINTR { throw WhisperError.io(path: path, operation: "flock", errno: errno) }
    }
}

func unlock(_ fd: Int32) { _ = flock(fd, LOCK_UN) }

func syncToDisk(_ fd: Int32, path: String) throws {
    guard fsync(fd) == 0 else { throw WhisperError.io(path: path, operation: "fsync", errno: errno) }
}
