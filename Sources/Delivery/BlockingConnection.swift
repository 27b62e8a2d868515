import Glibc

/// TCP connections for the helper threads that talk to other servers (statsd's upstream copy
/// of each flush, graphite-web's events and tags APIs): blocking calls with timeouts, on threads
/// of their own, never on an event loop or the concurrency pool.
public enum BlockingConnection {
    public enum Failure: Error, CustomStringConvertible {
        case resolve
        case connect(errno: Int32)

        public var description: String {
            switch self {
            case .resolve: "reason=resolve"
            case let .connect(code): "errno=\(code)"
            }
        }
    }

    /// A connected socket (the caller closes it); send and receive time out after `timeout` seconds.
    public static func open(host: String, port: Int, timeout: Int) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return .failure(.resolve) }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), first.pointee.ai_protocol)
        guard fd >= 0 else { return .failure(.connect(errno: errno)) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            return .failure(.connect(errno: code))
        }
        return .success(fd)
    }

    /// Writes every byte; false when the peer is gone or the send timed out.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}
