import Glibc

/// One blocking HTTP request for the helper threads (graphite-web's events and tags APIs).
public enum HTTPExchange {
    /// Sends `request` (a whole HTTP/1.1 request with `Connection: close`) on a connection of its
    /// own and returns the response's status code; nil when the server cannot be reached.
    public static func status(of request: [UInt8], host: String, port: Int, timeout: Int = 10) -> Int? {
        guard case let .success(fd) = BlockingConnection.open(host: host, port: port, timeout: timeout) else { return nil }
        defer { close(fd) }
        guard BlockingConnection.sendAll(fd, request) else { return nil }
        // The status line is all that is needed: `HTTP/1.1 200 OK`.
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !response.contains(0x0A), response.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            response += chunk[0..<n]
        }
        let line = String(decoding: response.prefix { $0 != 0x0A }, as: UTF8.self)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else { return nil }
        return status
    }
}
