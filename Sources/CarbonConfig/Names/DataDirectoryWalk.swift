import Glibc

/// Every whisper file under a data directory, as the metric it stores: directories are
/// branches, `NAME.wsp` the leaf NAME (graphite-web's `fs_to_metric`), one directory at a time.
/// Entries whose names start with `.` are skipped. Shared by the read API's name tree and the
/// quotas' count of existing series.
public enum DataDirectoryWalk {
    public struct Progress: Sendable {
        public var directories = 0
        public var leaves = 0
        public var unreadable = 0
    }

    /// Walks `root` (which may not exist yet: nothing to visit). For every directory, `visit`
    /// gets its dotted name (empty for the root) and its leaves' dotted names; `report` is
    /// called every `reportEvery` directories.
    @discardableResult
    public static func run(root: String, reportEvery: Int = 10_000, report: (Progress) -> Void = { _ in },
                           visit: (_ directory: [UInt8], _ leaves: [[UInt8]]) -> Void) -> Progress {
        var progress = Progress()
        var stack: [(path: String, name: [UInt8])] = [(root, [])]
        while let (path, name) = stack.popLast() {
            guard let directory = opendir(path) else {
                if !name.isEmpty { progress.unreadable += 1 }
                continue
            }
            progress.directories += 1
            var leaves: [[UInt8]] = []
            while let entry = readdir(directory) {
                var entryName = entry.pointee.d_name
                let bytes = withUnsafeBytes(of: &entryName) { raw in Array(raw.prefix { $0 != 0 }) }
                guard let first = bytes.first, first != UInt8(ascii: ".") else { continue }
                let child = path + "/" + String(decoding: bytes, as: UTF8.self)
                var type = entry.pointee.d_type
                if type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) {
                    var info = stat()
                    guard stat(child, &info) == 0 else { continue }
                    type = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : (info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0
                }
                if type == UInt8(DT_DIR) {
                    stack.append((child, name.isEmpty ? bytes : name + [UInt8(ascii: ".")] + bytes))
                } else if type == UInt8(DT_REG), bytes.count > 4, bytes.suffix(4) == Array(".wsp".utf8) {
                    let stem = bytes.prefix { $0 != UInt8(ascii: ".") }
                    leaves.append(name.isEmpty ? Array(stem) : name + [UInt8(ascii: ".")] + stem)
                    progress.leaves += 1
                }
            }
            closedir(directory)
            visit(name, leaves)
            if progress.directories % reportEvery == 0 { report(progress) }
        }
        return progress
    }
}
