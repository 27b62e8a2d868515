import CarbonConfig
import NameBytes
import Synchronization

/// Points received but not yet written, per metric (carbon's MetricCache).
///
/// Sharded by metric name: each shard has its own lock, so receiver threads storing points and
/// writer threads popping them rarely meet. Writers own disjoint sets of shards. Reading a
/// metric, or refusing a point because the cache is full, never creates an entry (carbon's
/// empty-queue quirk that later leaves empty .wsp files is not reproduced).
public final class MetricCache: Sendable {
    /// MAX_CACHE_SIZE, the memory ceiling and USE_FLOW_CONTROL.
    public struct Limits: Sendable, Equatable {
        /// Points the cache holds before receivers pause (flow control) or points are dropped.
        /// nil = unbounded (carbon's `inf`).
        public var maxSize: Int?
        /// Bytes the cache may hold (`memoryBytes`) before it is full just the same
        /// (MAX_CACHE_MEMORY, docs/carbon.md §16); nil = no ceiling.
        public var maxBytes: Int?
        /// Pause receivers at maxSize instead of dropping: a paused connection's last read
        /// (at most one receive buffer) is still stored in full, so the cache can exceed
        /// maxSize by that much and nothing already read is lost.
        public var flowControl: Bool

        public init(maxSize: Int? = nil, maxBytes: Int? = nil, flowControl: Bool = true) {
            self.maxSize = maxSize
            self.maxBytes = maxBytes
            self.flowControl = flowControl
        }

        /// Whether the cache can be full at all.
        public var isBounded: Bool { maxSize != nil || maxBytes != nil }

        /// Receivers resume reading once the cache is below this (carbon's 0.95 watermark).
        public var lowWatermark: Int? { maxSize.map { Int(Double($0) * 0.95) } }
        public var lowWatermarkBytes: Int? { maxBytes.map { Int(Double($0) * 0.95) } }
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
        let table = Mutex(MetricTable())
    }

    let shards: [Shard]
    private let mask: Int
    public let limits: Limits
    private let pointCount = Atomic<Int>(0)
    private let queueCount = Atomic<Int>(0)
    private let nextSequence = Atomic<UInt64>(0)
    private let overflows = Atomic<Int>(0)
    /// The entries' share of `memoryBytes`: `bytesPerEntry` plus the name, per entry.
    private let entryBytes = Atomic<Int>(0)
    /// What the writers hold per metric they have written (open-file state), counted in
    /// `memoryBytes` too: it grows with the metrics the cache lets in.
    private let writerBytes = Atomic<Int>(0)

    /// What a metric the cache knows costs while its entry lives (until a sweep), beyond its
    /// name: its name-table record (16) and slots (8-16) and its queue (24).
    public static let bytesPerEntry = 64
    /// What a metric with points cached costs beyond that: its queue's allocation and what a
    /// writer's round holds for it (its summary and name string). Measured with every write
    /// failing, so that every metric stays cached: 378 bytes of RSS per metric of one point
    /// with an 18-byte name, against 72 + 280 + 18 + 18 counted (the queue was 32 bytes then).
    public static let bytesPerQueue = 280
    /// What one cached point costs: 16 bytes, and up to an eighth more of a queue's spare room.
    public static let bytesPerPoint = 18

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
    public func shardIndex(of metric: String) -> Int {
        NameHash.withHashedBytes(of: metric) { _, _, hash in shardIndex(hash: hash) }
    }

    /// The shard of a name hash: its high bits (the table inside the shard uses the low ones).
    @inline(__always)
    func shardIndex(hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 40) & mask }

    /// Points cached (carbon's `size`).
    public var size: Int { pointCount.load(ordering: .relaxed) }
    /// Metrics with points cached (carbon's `len(cache)`, `cache.queues`).
    public var queues: Int { queueCount.load(ordering: .relaxed) }
    /// Points refused since start because the cache was full (`cache.overflow`).
    public var overflowCount: Int { overflows.load(ordering: .relaxed) }

    /// The memory the cache holds, estimated from its counts (entries with their names, queues
    /// with points, points), and the writers' state for the metrics they have written: what the
    /// memory ceiling is measured against.
    public var memoryBytes: Int {
        entryBytes.load(ordering: .relaxed) + writerBytes.load(ordering: .relaxed) + queues * Self.bytesPerQueue
            + size * Self.bytesPerPoint
    }

    /// A writer's open-file state grew (or shrank) by `delta` bytes.
    public func accountWriterBytes(_ delta: Int) { writerBytes.add(delta, ordering: .relaxed) }

    /// Whether receivers should stop reading now (flow control): at or above MAX_CACHE_SIZE or
    /// the memory ceiling.
    public var isFull: Bool {
        if let maxSize = limits.maxSize, size >= maxSize { return true }
        if let maxBytes = limits.maxBytes, memoryBytes >= maxBytes { return true }
        return false
    }

    /// Whether the memory ceiling is near (at 95 % of it or above): writers give back memory
    /// they can do without.
    public var isAboveMemoryLowWatermark: Bool {
        guard let low = limits.lowWatermarkBytes else { return false }
        return memoryBytes >= low
    }

    /// Whether paused receivers may read again: below 95 % of MAX_CACHE_SIZE and of the
    /// memory ceiling.
    public var isBelowLowWatermark: Bool {
        if let low = limits.lowWatermark, size >= low { return false }
        if let low = limits.lowWatermarkBytes, memoryBytes >= low { return false }
        return true
    }

    /// Runs `body` on the metric's name bytes, its hash and its shard's table.
    @inline(__always)
    private func withTable<T>(of metric: String, _ body: (inout MetricTable, UnsafeRawPointer, Int, UInt64) -> T) -> T {
        NameHash.withHashedBytes(of: metric) { p, n, hash in
            // The result leaves through a local: the lock's closure may only return `sending` values.
            var result: T?
            shards[shardIndex(hash: hash)].table.withLock { result = body(&$0, p, n, hash) }
            return result!
        }
    }

    /// Stores one point; the same timestamp again replaces the value (last received wins).
    /// When the cache is full, `overflow` decides; the default follows USE_FLOW_CONTROL.
    @discardableResult
    public func store(_ metric: String, _ point: CachedPoint, overflow: Overflow? = nil) -> StoreOutcome {
        var room = roomLeft(overflow)
        let outcome = withTable(of: metric) { table, p, n, hash in
            store(point, name: p, n, hash: hash, in: &table, room: &room)
        }
        count(outcome)
        return outcome
    }

    /// How many more points may be added: `Int.max` unless full points are dropped. Under the
    /// memory ceiling each point is counted as if it brought a new metric with a long name.
    @inline(__always)
    private func roomLeft(_ overflow: Overflow?) -> Int {
        let dropWhenFull = (overflow ?? (limits.flowControl ? .accept : .drop)) == .drop
        guard dropWhenFull, limits.isBounded else { return .max }
        var room = Int.max
        if let limit = limits.maxSize { room = limit - size }
        if let maxBytes = limits.maxBytes {
            room = min(room, (maxBytes - memoryBytes) / (Self.bytesPerEntry + Self.bytesPerQueue + Self.bytesPerPoint + 64))
        }
        return room
    }

    @inline(__always)
    private func count(_ outcome: StoreOutcome) {
        switch outcome {
        case .added: pointCount.add(1, ordering: .relaxed)
        case .dropped: overflows.add(1, ordering: .relaxed)
        case .replaced: break
        }
    }

    /// The store itself, under the shard's lock. A full cache (`room` used up) only replaces
    /// values and never creates an entry.
    @inline(__always)
    private func store(_ point: CachedPoint, name p: UnsafeRawPointer, _ n: Int, hash: UInt64,
                       in table: inout MetricTable, room: inout Int) -> StoreOutcome {
        if let id = table.find(p, n, hash: hash) {
            return table.withQueue(id) { queue in
                if room <= 0 {
                    guard queue.points.contains(where: { $0.timestamp == point.timestamp }) else { return .dropped }
                    _ = queue.store(point)
                    return .replaced
                }
                if queue.points.isEmpty {
                    // The metric (re-)enters the cache: a new place in the drain order.
                    queue.sequence = nextSequence.add(1, ordering: .relaxed).newValue
                    queueCount.add(1, ordering: .relaxed)
                }
                guard queue.store(point) else { return .replaced }
                room -= 1
                return .added
            }
        }
        guard room > 0 else { return .dropped }
        let id = table.insert(p, n, hash: hash, sequence: nextSequence.add(1, ordering: .relaxed).newValue)
        entryBytes.add(Self.bytesPerEntry + n, ordering: .relaxed)
        queueCount.add(1, ordering: .relaxed)
        _ = table.withQueue(id) { $0.store(point) }
        room -= 1
        return .added
    }

    /// Stores a batch of points whose names are byte ranges (a receiver's read): one lock per
    /// shard, the counters once. Points of one metric keep their order (last received wins). The
    /// batch is left as it is (its caller logs it, then empties it).
    public func store(_ batch: inout CacheBatch, overflow: Overflow? = nil) -> (added: Int, dropped: Int) {
        guard !batch.isEmpty else { return (0, 0) }
        var room = roomLeft(overflow)
        var added = 0, dropped = 0
        batch.groupByShard(shardCount: shards.count, shardOf: shardIndex(hash:))
        batch.forEachShard { shard, items in
            shards[shard].table.withLock { table in
                // Start every name's first miss before waiting on any of them.
                var sink: UInt64 = 0
                for item in items { sink ^= table.touch(hash: batch.hashes[item]) }
                table.touchSink = sink
                for item in items {
                    let name = batch.name(item)
                    switch store(batch.points[item], name: name.start, name.count, hash: batch.hashes[item],
                                 in: &table, room: &room) {
                    case .added: added += 1
                    case .dropped: dropped += 1
                    case .replaced: break
                    }
                }
            }
        }
        if added > 0 { pointCount.add(added, ordering: .relaxed) }
        if dropped > 0 { overflows.add(dropped, ordering: .relaxed) }
        return (added, dropped)
    }

    /// The cached points of a metric in the order their timestamps were first stored (what
    /// carbonlink answers); empty if none. Never creates an entry.
    public func points(of metric: String) -> [CachedPoint] {
        withTable(of: metric) { table, p, n, hash in
            table.find(p, n, hash: hash).map { Array(table.queue($0).points) } ?? []
        }
    }

    /// The cached points of a metric sorted by timestamp (carbon's `get_datapoints`).
    public func sortedPoints(of metric: String) -> [CachedPoint] {
        points(of: metric).sorted { $0.timestamp < $1.timestamp }
    }

    /// Removes a metric's points and returns them sorted by timestamp (nil if it had none).
    public func pop(_ metric: String) -> [CachedPoint]? {
        let popped: ContiguousArray<CachedPoint>? = withTable(of: metric) { table, p, n, hash in
            guard let id = table.find(p, n, hash: hash), table.pointCount(id) > 0 else { return nil }
            return table.takePoints(id)
        }
        guard let popped else { return nil }
        pointCount.subtract(popped.count, ordering: .relaxed)
        queueCount.subtract(1, ordering: .relaxed)
        return MetricQueue.sorted(popped)
    }

    /// Puts back points a writer could not write (a full disk, say). Timestamps received again
    /// meanwhile keep their newer value. Not refused when full: these points were accepted.
    public func restore(_ metric: String, _ points: [CachedPoint]) {
        guard !points.isEmpty else { return }
        let added: Int = withTable(of: metric) { table, p, n, hash in
            let id = table.find(p, n, hash: hash) ?? {
                entryBytes.add(Self.bytesPerEntry + n, ordering: .relaxed)
                return table.insert(p, n, hash: hash, sequence: nextSequence.add(1, ordering: .relaxed).newValue)
            }()
            return table.withQueue(id) { queue in
                if queue.points.isEmpty { queueCount.add(1, ordering: .relaxed) }
                var added = 0
                for point in points where queue.restore(point) { added += 1 }
                return added
            }
        }
        pointCount.add(added, ordering: .relaxed)
    }

    /// (metric, queued points) for every metric (carbon's `counts`).
    public func counts() -> [(metric: String, count: Int)] {
        shards.flatMap { shard in
            shard.table.withLock { table in
                table.entries.indices.compactMap { id in
                    let count = table.pointCount(id)
                    return count > 0 ? (table.name(id), count) : nil
                }
            }
        }
    }

    /// Summaries of the queues in the given shards, for a writer to order its next round.
    public func summaries<S: Sequence<Int>>(ofShards indices: S, includeOldest: Bool) -> [QueueSummary] {
        var result: [QueueSummary] = []
        for index in indices {
            shards[index].table.withLock { table in
                result.reserveCapacity(result.count + table.count)
                for id in table.entries.indices {
                    let queue = table.entries[id]
                    guard !queue.points.isEmpty else { continue }
                    result.append(QueueSummary(metric: table.name(id), count: queue.points.count, sequence: queue.sequence,
                                               oldestTimestamp: includeOldest ? queue.oldestTimestamp : 0))
                }
            }
        }
        return result
    }

    /// Forgets the metrics of these shards that had no points during a whole sweep period
    /// (the writer calls this every minute or so); returns how many were forgotten.
    @discardableResult
    public func sweepIdleMetrics<S: Sequence<Int>>(ofShards indices: S) -> Int {
        var removed = 0
        for index in indices {
            let swept = shards[index].table.withLock { $0.sweep() }
            removed += swept.entries
            entryBytes.subtract(swept.entries * Self.bytesPerEntry + swept.nameBytes, ordering: .relaxed)
        }
        return removed
    }

    /// Every metric name cached, for completion and glob matching.
    public func metricNames() -> [String] {
        shards.flatMap { shard in
            shard.table.withLock { table in
                table.entries.indices.compactMap { table.pointCount($0) > 0 ? table.name($0) : nil }
            }
        }
    }
}
