import Foundation
import Glibc

/// The tag index on disk: one line per change, `+name` or `-name`, appended as series come and
/// go, read back (and rewritten without the history) at start. An append lost in a crash costs
/// nothing lasting: the writer reports a tagged series again when it next opens its file.
public final class TagIndexLog: @unchecked Sendable {
    public let path: String
    private var fd: Int32 = -1
    private let lock = NSLock()

    public init(path: String) {
        self.path = path
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// The series the log holds, in the order first added; the file is rewritten to hold just
    /// them, then kept open for appends.
    public func load() throws -> [String] {
        var order: [String] = []
        var present = Set<String>()
        if let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: UInt8(ascii: "\n")) where line.count > 1 {
                let name = String(decoding: line.dropFirst(), as: UTF8.self)
                if line.first == UInt8(ascii: "+") {
                    if present.insert(name).inserted { order.append(name) }
                } else if line.first == UInt8(ascii: "-") {
                    present.remove(name)
                }
            }
        }
        let kept = order.filter { present.contains($0) }
        let temporary = path + ".tmp"
        let text = kept.map { "+" + $0 + "\n" }.joined()
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)), rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        lock.lock()
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        lock.unlock()
        return kept
    }

    func append(added: Bool, _ name: String) {
        let line = Array(((added ? "+" : "-") + name + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
