import Glibc

/// A whole small file's bytes read with plain system calls, so a failure keeps its errno:
/// configuration files, /proc and /sys.
public enum FileBytes {
    /// Why a file could not be read: the errno of the failing call.
    public struct ReadError: Error, Sendable {
        public let errno: Int32
    }

    public static func read(atPath path: String) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                throw ReadError(errno: errno)
            }
        }
    }
}
