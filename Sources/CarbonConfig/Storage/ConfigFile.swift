import Glibc

/// Reads a whole configuration file as UTF-8 text with plain system calls, so that a failure
/// keeps its `errno` (storage-aggregation.conf may be absent, storage-schemas.conf may not).
enum ConfigFile {
    static func text(atPath path: String) throws(StorageConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(file: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .unreadable(file: path, errno: errno)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText(file: path) }
        return text
    }
}
