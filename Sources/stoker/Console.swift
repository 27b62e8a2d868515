import Glibc

/// Unbuffered writes to the standard streams. Each call is one or more write(2)s of the whole
/// text, so output is visible at once (no stdio buffer to flush before blocking or exiting).
enum Console {
    static func out(_ text: String) { write(text, to: 1) }
    static func err(_ text: String) { write(text, to: 2) }

    /// Writes `lines`, each followed by a newline, as one block.
    static func outLines(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        out(lines.joined(separator: "\n") + "\n")
    }

    private static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // closed pipe or full disk: nothing sensible left to do
                }
            }
        }
    }
}
