import Glibc
import Foundation

/// statsd's admin interface (mgmt_port) of a child Stoker: `counters` (the pending counters of
/// the current interval, statsd's own included) and `stats` (the last flush's `flush_time`).
enum StatsdAdminClient {
    /// Sends one command and reads its answer up to the `END` line.
    static func ask(port: Int, _ command: String, timeout: Double = 10) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket failed (errno \(errno))") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchFailure("cannot connect to the statsd admin port \(port) (errno \(errno))") }
        let request = Array((command + "\n").utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw BenchFailure("cannot send to the statsd admin port (errno \(errno))")
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let end = Array("END\n\n".utf8)
        while !answer.suffix(end.count).elementsEqual(end) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { answer += chunk[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            throw BenchFailure("statsd admin `\(command)`: answer cut short after \(answer.count) bytes (errno \(errno))")
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// `counters` as name -> value (node's util.inspect layout: `{ 'a.b': 1,\n  'c': 2 }`).
    static func counters(port: Int) throws -> [String: Double] {
        var values: [String: Double] = [:]
        let text = try ask(port: port, "counters")
        for line in text.split(separator: "\n") {
            for entry in line.split(separator: ",") {
                let trimmed = entry.trimmingCharacters(in: CharacterSet(charactersIn: "{} \t"))
                guard let colon = trimmed.range(of: ": ", options: .backwards) else { continue }
                let name = trimmed[..<colon.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                if let value = Double(trimmed[colon.upperBound...]) { values[name] = value }
            }
        }
        return values
    }

    /// `stats` as name -> value (`graphite.flush_time: 3`).
    static func stats(port: Int) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for line in try ask(port: port, "stats").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Double(parts[1].trimmingCharacters(in: .whitespaces)) {
                values[String(parts[0])] = value
            }
        }
        return values
    }

    /// Sends one gauge line from 16 fresh sockets so every SO_REUSEPORT reader gets a datagram:
    /// the kernel reports a socket's drops (SO_RXQ_OVFL) with the next datagram it delivers.
    static func probeReaders(udpPort: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(udpPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let line = Array("stoker_bench.probe:1|g\n".utf8)
        for _ in 0..<16 {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { continue }
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    line.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            close(fd)
        }
    }
}
