import Synchronization

/// Points received but not yet written, per metric (carbon's MetricCache).
///
/// Sharded by metric name: each shard has its own lock, so receiver threads storing points and
/// writer threads popping them rarely meet. Writers own disjoint sets of shards. Reading a
/// metric, or refusing a point because the cache is full, never creates an entry (carbon's
/// empty-queue quirk that later leaves empty .wsp files is not reproduced).
public final class MetricCache: Sendable {
    /// MAX_CACHE_SIZE and USE_FLOW_CONTROL.
    public struct Limits: Sendable, Equatable {
        /// Points the cache holds before receivers pause (flow control) or points are dropped.
        /// nil = unbounded (carbon's `inf`).
        public var maxSize: Int?
        /// Pause receivers at maxSize instead of dropping: a paused connection's last read
        /// (at most one receive buffer) is still stored in full, so the cache can exceed
        /// maxSize by that much and nothing already read is lost.
        public var flowControl: Bool

        public init(maxSize: Int? = nil, flowControl: Bool = true) {
            self.maxSize = maxSize
            self.flowControl = flowControl
        }

        /// Receivers resume reading once the cache is below this (carbon's 0.95 watermark).
        public var lowWatermark: Int? { maxSize.map { Int(Double($0) * 0.95) } }
    }

    /// What a full cache does with a new point.
    public enum Overflow: Sendable {
        /// Drop it (counted in `overflowCount`): no flow control, or a sender that cannot be
        /// paused (UDP).
        case drop
        /// Store it: the sender is being paused by flow control.
        case accept
    }

    /// What happened to a stored point.
    public enum StoreOutcome: Sendable, Equatable {
        case added
        /// The metric already had a point with this timestamp; its value was replaced.
        case replaced
        /// The cache was full; nothing was stored.
        case dropped
    }

    final class Shard: Sendable {
        let queues = Mutex<[String: MetricQueue]>([:])
    }

    let shards: [Shard]
    private let mask: Int
    public let limits: Limits
    private let pointCount = Atomic<Int>(0)
    private let queueCount = Atomic<Int>(0)
    private let nextSequence = Atomic<UInt64>(0)
    private let overflows = Atomic<Int>(0)

    /// `shardCount` is rounded up to a power of two.
    public init(limits: Limits = .init(), shardCount: Int = 64) {
        var count = 1
        while count < max(1, shardCount) { count <<= 1 }
        shards = (0..<count).map { _ in Shard() }
        mask = count - 1
        self.limits = limits
    }

    public var shardCount: Int { shards.count }

    /// The shard holding `metric`.
    @inline(__always)
    public func shardIndex(of metric: String) -> Int {
        // A cheap mix of the length and the last 8 bytes (where names of one family differ):
        // the dictionary inside the shard hashes the whole name anyway.
        var h: UInt64 = UInt64(truncatingIfNeeded: metric.utf8.count) &* 0x9E37_79B9_7F4A_7C15
        for byte in metric.utf8.suffix(8) { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Points cached (carbon's `size`).
    public var size: Int { pointCount.load(ordering: .relaxed) }
    /// Metrics with points cached (carbon's `len(cache)`, `cache.queues`).
    public var queues: Int { queueCount.load(ordering: .relaxed) }
    /// Points refused since start because the cache was full (`cache.overflow`).
    public var overflowCount: Int { overflows.load(ordering: .relaxed) }

    /// Whether receivers should stop reading now (flow control): at or above MAX_CACHE_SIZE.
    public var isFull: Bool {
        guard let maxSize = limits.maxSize else { return false }
        return size >= maxSize
    }

    /// Whether paused receivers may read again: below 95 % of MAX_CACHE_SIZE.
    public var isBelowLowWatermark: Bool {
        guard let low = limits.lowWatermark else { return true }
        return size < low
    }

    /// Stores one point; the same timestamp again replaces the value (last received wins).
    /// When the cache is full, `overflow` decides; the default follows USE_FLOW_CONTROL.
    @discardableResult
    public func store(_ metric: String, _ point: CachedPoint, overflow: Overflow? = nil) -> StoreOutcome {
        let dropWhenFull = (overflow ?? (limits.flowControl ? .accept : .drop)) == .drop
        let limit = dropWhenFull ? limits.maxSize : nil
        let outcome: StoreOutcome = shards[shardIndex(of: metric)].queues.withLock { queues in
            if let limit, size >= limit {
                // Full: only a replacement is still allowed, and it must not create the entry.
                guard queues[metric] != nil else { return .dropped }
                if queues[metric]!.points.contains(where: { $0.timestamp == point.timestamp }) {
                    _ = queues[metric]!.store(point)
                    return .replaced
                }
                return .dropped
            }
            // One hash lookup for the common case (the metric is already queued).
            if let index = queues.index(forKey: metric) {
                return queues.values[index].store(point) ? .added : .replaced
            }
            var queue = MetricQueue(sequence: nextSequence.add(1, ordering: .relaxed).newValue)
            _ = queue.store(point)
            queues[metric] = queue
            queueCount.add(1, ordering: .relaxed)
            return .added
        }
        switch outcome {
        case .added: pointCount.add(1, ordering: .relaxed)
        case .dropped: overflows.add(1, ordering: .relaxed)
        case .replaced: break
        }
        return outcome
    }

    /// The cached points of a metric in the order their timestamps were first stored (what
    /// carbonlink answers); empty if none. Never creates an entry.
    public func points(of metric: String) -> [CachedPoint] {
        shards[shardIndex(of: metric)].queues.withLock { queues in
            queues[metric].map { Array($0.points) } ?? []
        }
    }

    /// The cached points of a metric sorted by timestamp (carbon's `get_datapoints`).
    public func sortedPoints(of metric: String) -> [CachedPoint] {
        points(of: metric).sorted { $0.timestamp < $1.timestamp }
    }

    /// Removes a metric and returns its points sorted by timestamp (nil if it had none).
    public func pop(_ metric: String) -> [CachedPoint]? {
        let popped = shards[shardIndex(of: metric)].queues.withLock { $0.removeValue(forKey: metric) }
        guard let popped else { return nil }
        pointCount.subtract(popped.points.count, ordering: .relaxed)
        queueCount.subtract(1, ordering: .relaxed)
        return popped.sortedPoints()
    }

    /// Puts back points a writer could not write (a full disk, say). Timestamps received again
    /// meanwhile keep their newer value. Not refused when full: these points were accepted.
    public func restore(_ metric: String, _ points: [CachedPoint]) {
        guard !points.isEmpty else { return }
        let added: Int = shards[shardIndex(of: metric)].queues.withLock { queues in
            var created = false
            if queues[metric] == nil {
                queues[metric] = MetricQueue(sequence: nextSequence.add(1, ordering: .relaxed).newValue)
                created = true
            }
            var added = 0
            for point in points where queues[metric]!.restore(point) { added += 1 }
            if created { queueCount.add(1, ordering: .relaxed) }
            return added
        }
        pointCount.add(added, ordering: .relaxed)
    }

    /// (metric, queued points) for every metric (carbon's `counts`).
    public func counts() -> [(metric: String, count: Int)] {
        shards.flatMap { shard in
            shard.queues.withLock { queues in queues.map { ($0.key, $0.value.points.count) } }
        }
    }

    /// Summaries of the queues in the given shards, for a writer to order its next round.
    public func summaries<S: Sequence<Int>>(ofShards indices: S, includeOldest: Bool) -> [QueueSummary] {
        var result: [QueueSummary] = []
        for index in indices {
            shards[index].queues.withLock { queues in
                result.reserveCapacity(result.count + queues.count)
                for (metric, queue) in queues {
                    result.append(QueueSummary(metric: metric, count: queue.points.count, sequence: queue.sequence,
                                               oldestTimestamp: includeOldest ? queue.oldestTimestamp : 0))
                }
            }
        }
        return result
    }

    /// Every metric name cached, for completion and glob matching.
    public func metricNames() -> [String] {
        shards.flatMap { shard in shard.queues.withLock { Array($0.keys) } }
    }
}
