import CNetwork
import Glibc
import StatsdCore

/// Opening statsd's UDP sockets: SO_REUSEPORT so several readers share one port, the large
/// receive buffer, the kernel's drop counter, and a receive timeout so readers notice a stop.
enum UDPSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Binds a socket on `address:port` (port 0: any free port). Returns it and the bound port.
    static func open(address: String, port: Int, ipv6: Bool, receiveBuffer: Int) throws -> (fd: Int32, port: Int, receiveBuffer: Int) {
        let family = ipv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let effective = Int(stoker_set_receive_buffer(fd, Int32(receiveBuffer)))
        _ = stoker_enable_drop_counter(fd)
        _ = stoker_set_receive_timeout(fd, 100)
        var boundPort = port
        if ipv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            let host = address == "0.0.0.0" ? "::" : address
            guard inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1 else { close(fd); throw Failure(description: "bad IPv6 address \(host)") }
            let rc = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            guard rc == 0 else { let text = errnoText(); close(fd); throw Failure(description: "bind [\(host)]:\(port): \(text)") }
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            _ = withUnsafeMutablePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            boundPort = Int(UInt16(bigEndian: sin6.sin6_port))
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { close(fd); throw Failure(description: "bad IPv4 address \(address)") }
            let rc = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else { let text = errnoText(); close(fd); throw Failure(description: "bind \(address):\(port): \(text)") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            boundPort = Int(UInt16(bigEndian: sin.sin_port))
        }
        return (fd, boundPort, effective)
    }

    static func errnoText() -> String {
        let code = errno
        return String(decoding: UnsafeRawBufferPointer(start: strerror(code), count: strlen(strerror(code))), as: UTF8.self) + " (errno \(code))"
    }
}
