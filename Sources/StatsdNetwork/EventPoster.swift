import Foundation
import Glibc
import Delivery
import Logging
import StatsdCore
import Synchronization

/// Posts DogStatsD events to graphite-web's events API (`POST <GRAPHITE_URL>/events/`, one
/// JSON event per request: what, data, tags, when), where Grafana shows them as annotations.
/// Each flush's events join a `DeliveryQueue`: posted in order; while graphite-web is
/// unreachable or failing they wait and are retried with back-off; past `capacity` the oldest
/// are dropped and counted. Plain HTTP only.
final class EventPoster: Sendable {
    let endpoint: HTTPTarget
    private let queue: DeliveryQueue<StatsdEvent>
    private let counts = Counts()
    private let logger: Logger

    /// Shared with the queue's delivery closure.
    private final class Counts: Sendable {
        let posted = Atomic<Int>(0)
        let dropped = Atomic<Int>(0)
    }

    init(endpoint: HTTPTarget, capacity: Int, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
        let counts = counts
        queue = DeliveryQueue(name: "stoker-statsd-events", capacity: capacity, maximumBackoff: 30) { event, _ in
            switch EventPoster.post(event, to: endpoint, logger: logger) {
            case .posted:
                counts.posted.add(1, ordering: .relaxed)
                return .delivered
            case .refused:
                counts.dropped.add(1, ordering: .relaxed)
                return .discarded
            case .failed:
                return .retryLater
            }
        }
    }

    /// Events posted and dropped since the last call (folded into statsd's own counters).
    func takeCounts() -> (posted: Int, dropped: Int) {
        (counts.posted.exchange(0, ordering: .relaxed), counts.dropped.exchange(0, ordering: .relaxed))
    }

    func start() { queue.start() }

    func enqueue(_ events: [StatsdEvent]) {
        let overflow = queue.enqueue(events)
        if overflow > 0 {
            counts.dropped.add(overflow, ordering: .relaxed)
            logger.warning("event=statsd_events_dropped reason=queue_full count=\(overflow) capacity=\(queue.capacity)")
        }
    }

    /// Stops after trying to post what is queued, for at most `timeout` seconds.
    func stop(timeout: Double) { queue.stop(timeout: timeout) }

    enum Outcome { case posted, refused, failed }

    /// The request body graphite-web's `post_event` reads.
    static func body(_ event: StatsdEvent) -> [UInt8] {
        var object: [String: Any] = ["what": event.title, "data": event.text, "tags": event.tags]
        if let when = event.timestamp { object["when"] = when }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// One request per event on a connection of its own. A 4xx answer means graphite-web will
    /// never take this event: it is dropped (counted) rather than retried forever.
    private static func post(_ event: StatsdEvent, to endpoint: HTTPTarget, logger: Logger) -> Outcome {
        let body = Self.body(event)
        let head = "POST \(endpoint.path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        guard let status = HTTPExchange.status(of: Array(head.utf8) + body, host: endpoint.host, port: endpoint.port) else {
            logger.warning("event=statsd_event_post_failed url=http://\(endpoint.host):\(endpoint.port)\(endpoint.path) reason=unreachable")
            return .failed
        }
        switch status {
        case 200..<300:
            return .posted
        case 400..<500:
            logger.warning("event=statsd_event_refused status=\(status) title=\(event.title.debugDescription)")
            return .refused
        default:
            logger.warning("event=statsd_event_post_failed status=\(status)")
            return .failed
        }
    }
}
