import Foundation
import Glibc

/// Reads a child Stoker's `GET /metrics` over a plain blocking socket (one request per
/// connection): the samples without labels, by name.
struct SteadyMetricsClient {
    let port: Int

    func scrape() throws -> [String: Double] {
        let fd = try ReadBenchFiles.connect(port: port)
        defer { close(fd) }
        try ReadBenchFiles.writeAll(fd, Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes += chunk[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else {
            throw BenchFailure("GET /metrics on port \(port): \(text.prefix(200))")
        }
        var samples: [String: Double] = [:]
        for line in text[body.upperBound...].split(separator: "\n") where !line.hasPrefix("#") && !line.contains("{") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }
}
