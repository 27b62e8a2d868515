import Glibc

/// The few path operations the commands need, with errors that name the path.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The file's size in bytes (what `os.stat(path).st_size` reports).
    static func size(of path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw CommandFailure("\(path): stat failed: \(errorText(errno))") }
        return Int(st.st_size)
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 else { throw CommandFailure("\(path): unlink failed: \(errorText(errno))") }
    }

    /// `mkdir -p`: creates `path` and its missing parents; an existing directory is fine.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") where !component.isEmpty {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw CommandFailure("\(prefix): mkdir failed: \(errorText(errno))")
            }
            prefix += "/"
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CommandFailure("\(path): not a directory")
        }
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
