import CarbonConfig
import Delivery
import Foundation
import Logging
import ServerRuntime
import Synchronization

/// carbon's tag posting (`ENABLE_TAGS` with `GRAPHITE_URL`, docs/carbon.md §15): every series
/// whose file is created, and one write in `TAG_UPDATE_INTERVAL`, is queued (at most
/// `TAG_QUEUE_SIZE`; more are dropped, counted) and posted in batches of `TAG_BATCH_SIZE` to
/// graphite-web's `/tags/tagMultiSeries`, so a graphite-web with a tag database of its own knows
/// them. As carbon does, a batch that fails is logged and not retried (the series comes again
/// with a later update). Stoker's own tag index (the read API) needs none of this.
public final class TagPoster: Sendable {
    public let url: GraphiteWebURL
    let batchSize: Int
    let queueSize: Int
    private let log: RateLimitedLogger
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<WorkerThread?>(nil)
    public let posted = Atomic<Int>(0)
    public let dropped = Atomic<Int>(0)
    public let failedBatches = Atomic<Int>(0)

    struct Queue {
        var adds: [String] = []
        var updates: [String] = []
        var stopping = false
    }

    public init(url: GraphiteWebURL, batchSize: Int, queueSize: Int, logger: Logger) {
        self.url = url
        self.batchSize = batchSize
        self.queueSize = queueSize
        log = RateLimitedLogger(logger: logger)
    }

    /// A new series (its file was just created).
    public func add(_ metric: String) { enqueue(metric, update: false) }

    /// A series written again (one write in TAG_UPDATE_INTERVAL).
    public func update(_ metric: String) { enqueue(metric, update: true) }

    private func enqueue(_ metric: String, update: Bool) {
        let accepted = queue.withLock { queue -> Bool in
            guard (update ? queue.updates.count : queue.adds.count) < queueSize else { return false }
            if update { queue.updates.append(metric) } else { queue.adds.append(metric) }
            return true
        }
        if accepted { wake.signal() } else { dropped.add(1, ordering: .relaxed) }
    }

    public func start() {
        let started = WorkerThread.start(name: "stoker-tags") { [self] in run() }
        thread.withLock { $0 = started }
    }

    /// Posts what is queued (for at most `timeout` seconds), then stops.
    public func stop(timeout: Double = 5) {
        queue.withLock { $0.stopping = true }
        wake.signal()
        thread.withLock { $0 }?.waitBlocking(timeout: timeout)
    }

    private func run() {
        while true {
            let (batch, stopping) = queue.withLock { queue -> ([String], Bool) in
                // New series first, then updates, as carbon's getbatch takes them.
                var batch = Array(queue.adds.prefix(batchSize))
                queue.adds.removeFirst(batch.count)
                let room = batchSize - batch.count
                batch += queue.updates.prefix(room)
                queue.updates.removeFirst(min(room, queue.updates.count))
                return (batch, queue.stopping)
            }
            if batch.isEmpty {
                if stopping { return }
                _ = wake.wait(timeout: .now() + 0.2)
                continue
            }
            post(batch)
        }
    }

    private func post(_ batch: [String]) {
        let body = Array(batch.map { "path=" + Self.formEncode($0) }.joined(separator: "&").utf8)
        let path = url.basePath + "/tags/tagMultiSeries"
        let head = "POST \(path) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let status = HTTPExchange.status(of: Array(head.utf8) + body, host: url.host, port: url.port, timeout: 5)
        if status == 200 {
            posted.add(batch.count, ordering: .relaxed)
        } else {
            failedBatches.add(1, ordering: .relaxed)
            log.log(.warning, kind: "tag_post_failed",
                    "event=tag_post_failed url=\(url.description)\(path) status=\(status.map(String.init) ?? "unreachable") series=\(batch.count)")
        }
    }

    /// `application/x-www-form-urlencoded` for one value.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
