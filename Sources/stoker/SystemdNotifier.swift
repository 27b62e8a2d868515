import Foundation

import Glibc

/// systemd's notify protocol (sd_notify(3)) for `Type=notify` units: one datagram of
/// newline-separated `KEY=VALUE` fields to the Unix socket named by `NOTIFY_SOCKET` (a leading
/// `@` is Linux's abstract namespace). Outside systemd there is no socket and every call does
/// nothing. A datagram that cannot be sent is dropped: systemd's timeouts decide then.
struct SystemdNotifier: Sendable {
    /// The socket address's path bytes, nil when not started by systemd.
    let path: [UInt8]?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let socket = environment["NOTIFY_SOCKET"], socket.hasPrefix("/") || socket.hasPrefix("@"),
              socket.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else {
            path = nil
            return
        }
        var bytes = Array(socket.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        path = bytes
    }

    /// Every listener is bound and the write-ahead log replayed.
    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    func status(_ text: String) { send("STATUS=\(text)") }

    /// Asks for `seconds` more before systemd's start or stop timeout fires.
    func extendTimeout(seconds: Int) { send("EXTEND_TIMEOUT_USEC=\(seconds * 1_000_000)") }

    func send(_ fields: String) {
        guard let path else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: path)
        }
        // An abstract address is exactly as long as its bytes; a path one byte more for its NUL.
        let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count + (path[0] == 0 ? 0 : 1)
        var message = Array(fields.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeMutableBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(length))
                }
            }
        }
    }
}
