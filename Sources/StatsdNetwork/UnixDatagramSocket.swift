import CNetwork
import Glibc
import StatsdCore

/// statsd's Unix datagram socket (DogStatsD's `dogstatsd_socket`): what containers and pods use
/// instead of UDP, since a full socket makes the sender wait rather than lose datagrams. Read
/// by a `UDPReader` like the UDP sockets.
enum UnixDatagramSocket {
    /// Binds `path` with the file mode `mode` (a socket left by a previous run is replaced;
    /// any other file there is an error, never removed).
    static func open(path: String, mode: Int, receiveBuffer: Int) throws -> Int32 {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else {
                throw UDPSocket.Failure(description: "\(path) exists and is not a socket")
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw UDPSocket.Failure(description: "socket: \(UDPSocket.errnoText())") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw UDPSocket.Failure(description: "\(path): longer than a socket path may be")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + 1)
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard rc == 0 else {
            let text = UDPSocket.errnoText()
            close(fd)
            throw UDPSocket.Failure(description: "bind \(path): \(text)")
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            let text = UDPSocket.errnoText()
            close(fd)
            unlink(path)
            throw UDPSocket.Failure(description: "chmod \(path): \(text)")
        }
        _ = stoker_set_receive_buffer(fd, Int32(receiveBuffer))
        _ = stoker_set_receive_timeout(fd, 100)
        return fd
    }
}
