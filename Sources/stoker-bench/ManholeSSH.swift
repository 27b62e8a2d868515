import Glibc
import Foundation

/// The real OpenSSH client against a manhole (or the system's sshd): a key pair made with
/// `ssh-keygen`, and timed one-shot `exec` round trips.
struct ManholeSSH {
    let port: Int
    /// Private key file; nil: the client's own defaults (the system-sshd comparison).
    let key: String?
    let user: String?

    /// Makes an ed25519 key pair without a passphrase in `directory`; returns (private key
    /// path, public key line).
    static func makeKeyPair(in directory: String) throws -> (key: String, publicKey: String) {
        let key = directory + "/id_ed25519"
        let result = try ChildProcess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "stoker-bench", "-f", key])
        guard result.status == 0, let line = try? String(contentsOfFile: key + ".pub", encoding: .utf8) else {
            throw BenchFailure("ssh-keygen failed (exit \(result.status))")
        }
        return (key, line.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The client's options: no prompt of any kind, no host key checking or recording.
    var options: [String] {
        var arguments = ["-p", String(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                         "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"]
        if let key { arguments += ["-i", key, "-o", "IdentitiesOnly=yes"] }
        return arguments
    }

    var destination: String { user.map { "\($0)@127.0.0.1" } ?? "127.0.0.1" }

    /// One `ssh -n ... COMMAND`: wall time from spawning the client to its exit.
    func exec(_ command: String) throws -> (seconds: Double, status: Int32, output: String) {
        let begin = MonotonicClock.now()
        let result = try ChildProcess.run("ssh", ["-n"] + options + [destination, command])
        return (MonotonicClock.now() - begin, result.status, result.output)
    }

    /// True if something on 127.0.0.1:`port` greets with an SSH banner within a second.
    static func sshServerListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        var banner = [UInt8](repeating: 0, count: 64)
        let n = banner.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n >= 4 && banner[0..<4].elementsEqual(Array("SSH-".utf8))
    }
}

/// Latency figures of a set of round trips, in milliseconds.
struct LatencySummary {
    var milliseconds: [Double]

    var median: Double { ResultRow.median(milliseconds) ?? 0 }
    /// Nearest-rank percentile (p99 of 50 samples is the largest).
    func percentile(_ p: Double) -> Double {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    var text: String {
        String(format: "median %.1f ms, p90 %.1f, p99 %.1f, min %.1f, max %.1f (%d round trips)",
               median, percentile(90), percentile(99), milliseconds.min() ?? 0, milliseconds.max() ?? 0, milliseconds.count)
    }
}
