import CarbonCache
import CarbonConfig
import Whisper

/// The directories one writer thread holds open, by path, so that it opens files by name in
/// them (`WhisperDirectory`). Bounded: once full, further directories are not held and their
/// files are opened by whole path, as without it. Forgotten as a whole when the storage rules
/// are reloaded (an operator who moved or removed directories sends SIGHUP), one by one when
/// a file cannot be found through them.
struct OpenDirectories {
    let capacity: Int
    private var byPath: [String: WhisperDirectory] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    public var count: Int { byPath.count }

    /// The directory held open for `path`, opening it if there is room; nil when it cannot be
    /// opened (not there yet) or there is no room.
    mutating func directory(_ path: String) -> WhisperDirectory? {
        if let held = byPath[path] { return held }
        guard byPath.count < capacity, let opened = try? WhisperDirectory(path: path) else { return nil }
        byPath[path] = opened
        return opened
    }

    mutating func forget(_ path: String) {
        byPath[path] = nil
    }

    mutating func forgetAll() {
        byPath.removeAll()
    }
}

/// A file path split at its last `/`: the directory and the file's name in it.
struct FileLocation {
    var directory: String
    public var name: String

    init?(path: String) {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else { return nil }
        directory = String(path[..<slash])
        name = String(path[path.utf8.index(after: slash)...])
        guard !name.isEmpty else { return nil }
    }
}
