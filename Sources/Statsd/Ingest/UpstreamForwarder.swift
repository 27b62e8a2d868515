import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sends a copy of every flush to graphiteHost:graphitePort over the plaintext protocol, on its
/// own thread. Flushes wait in a bounded queue while the upstream is unreachable and are
/// delivered in order when it returns (the reference statsd drops a flush it cannot send);
/// past `capacity` flushes the oldest is dropped and counted.
final class UpstreamForwarder: Sendable {
    struct Queue {
        var payloads: [[UInt8]] = []
        var stopping = false
    }

    let host: String
    let port: Int
    let capacity: Int
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let dropped = Atomic<Int>(0)
    private let delivered = Atomic<Int>(0)
    private let logger: Logger

    init(host: String, port: Int, capacity: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.capacity = capacity
        self.logger = logger
    }

    var droppedFlushes: Int { dropped.load(ordering: .relaxed) }
    var deliveredFlushes: Int { delivered.load(ordering: .relaxed) }
    var queuedFlushes: Int { queue.withLock { $0.payloads.count } }

    func start() {
        let thread = Thread { [self] in run(); done.signal() }
        thread.name = "stoker-statsd-forward"
        thread.start()
    }

    func enqueue(_ payload: String) {
        guard !payload.isEmpty else { return }
        let overflow = queue.withLock { queue -> Bool in
            queue.payloads.append(Array(payload.utf8))
            if queue.payloads.count > capacity {
                queue.payloads.removeFirst()
                return true
            }
            return false
        }
        if overflow {
            dropped.add(1, ordering: .relaxed)
            logger.warning("event=statsd_forward_dropped reason=buffer_full capacity=\(capacity)")
        }
        wake.signal()
    }

    /// Stops after trying to deliver what is queued, for at most `timeout` seconds.
    func stop(timeout: Double) {
        queue.withLock { $0.stopping = true }
        wake.signal()
        _ = done.wait(timeout: .now() + timeout)
    }

    private func run() {
        var backoff = 0.5
        while true {
            let (next, stopping) = queue.withLock { ($0.payloads.first, $0.stopping) }
            guard let payload = next else {
                if stopping { return }
                wake.wait()
                continue
            }
            if send(payload) {
                queue.withLock { if !$0.payloads.isEmpty { $0.payloads.removeFirst() } }
                delivered.add(1, ordering: .relaxed)
                backoff = 0.5
            } else {
                if stopping { return }
                _ = wake.wait(timeout: .now() + backoff)
                backoff = min(backoff * 2, 10)
            }
        }
    }

    /// One connection per flush, as statsd's graphite backend does.
    private func send(_ payload: [UInt8]) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            logger.warning("event=statsd_forward_failed host=\(host) reason=resolve")
            return false
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), first.pointee.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            logger.warning("event=statsd_forward_failed host=\(host):\(port) errno=\(errno) queued=\(queuedFlushes)")
            return false
        }
        var sent = 0
        while sent < payload.count {
            let n = payload.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            sent += n
        }
        return true
    }
}
