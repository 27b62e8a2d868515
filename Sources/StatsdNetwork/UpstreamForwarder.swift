import Delivery
import Glibc
import Logging
import StatsdCore
import Synchronization

/// Sends a copy of every flush to graphiteHost:graphitePort over the plaintext protocol, on its
/// own thread. Flushes wait in a bounded queue while the upstream is unreachable and are
/// delivered in order when it returns (the reference statsd drops a flush it cannot send);
/// past `capacity` flushes the oldest is dropped and counted.
final class UpstreamForwarder: Sendable {
    let host: String
    let port: Int
    private let queue: DeliveryQueue<[UInt8]>
    private let dropped = Atomic<Int>(0)
    private let logger: Logger

    init(host: String, port: Int, capacity: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
        queue = DeliveryQueue(name: "stoker-statsd-forward", capacity: capacity, maximumBackoff: 10) { payload, waiting in
            // One connection per flush, as statsd's graphite backend does.
            switch BlockingConnection.open(host: host, port: port, timeout: 5) {
            case let .failure(failure):
                logger.warning("event=statsd_forward_failed host=\(host):\(port) \(failure) queued=\(waiting)")
                return .retryLater
            case let .success(fd):
                defer { close(fd) }
                return BlockingConnection.sendAll(fd, payload) ? .delivered : .retryLater
            }
        }
    }

    var droppedFlushes: Int { dropped.load(ordering: .relaxed) }

    func start() { queue.start() }

    func enqueue(_ payload: String) {
        guard !payload.isEmpty else { return }
        if queue.enqueue([Array(payload.utf8)]) > 0 {
            dropped.add(1, ordering: .relaxed)
            logger.warning("event=statsd_forward_dropped reason=buffer_full capacity=\(queue.capacity)")
        }
    }

    /// Stops after trying to deliver what is queued, for at most `timeout` seconds.
    func stop(timeout: Double) { queue.stop(timeout: timeout) }
}
