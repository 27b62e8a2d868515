import ServerRuntime

/// Reads a whole configuration file as UTF-8 text with plain system calls, so that a failure
/// keeps its `errno` (storage-aggregation.conf may be absent, storage-schemas.conf may not).
enum ConfigFile {
    static func text(atPath path: String) throws(StorageConfigError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(atPath: path)
        } catch {
            throw .unreadable(file: path, errno: error.errno)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notText(file: path) }
        return text
    }
}
