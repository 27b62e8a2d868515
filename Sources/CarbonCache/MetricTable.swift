import CarbonConfig
import NameBytes

/// One cache shard's metrics: an open-addressing index from name bytes to entries, names in one
/// byte arena, queues in one flat array.
///
/// Looked up by bytes, so a receiver stores a point without making a `String` for a name the
/// cache already knows. An entry outlives its points: the writer empties a queue, the next
/// round's point finds the entry again instead of rebuilding it. Entries idle for a whole sweep
/// period are removed by `sweep()`, so the table holds the metrics seen recently, not every
/// metric ever seen.
struct MetricTable {
    struct Entry {
        var hash: UInt64
        var nameStart: Int
        var nameCount: Int
        /// Stored to since the last sweep.
        var touched: Bool
        var queue: MetricQueue
    }

    private(set) var entries: ContiguousArray<Entry> = []
    private var arena: [UInt8] = []
    /// -1 = empty, else an entry index. The capacity is a power of two, at most half full.
    private var slots: [Int32] = []

    public var count: Int { entries.count }
    /// Where `touch` results go, so the loads are not optimised away.
    var touchSink: UInt64 = 0

    /// The entry of the name, if any.
    @inline(__always)
    func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                arena.withUnsafeBufferPointer { arena in
                    let mask = slots.count - 1
                    var s = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let id = Int(slots[s])
                        if id < 0 { return nil }
                        if entries[id].hash == hash && entries[id].nameCount == n
                            && NameHash.bytesEqual(arena.baseAddress! + entries[id].nameStart, p, n) {
                            return id
                        }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    /// Loads the memory a `find` of this hash will read first, so that the misses of many names
    /// overlap instead of following one another.
    @inline(__always)
    func touch(hash: UInt64) -> UInt64 {
        guard !slots.isEmpty else { return 0 }
        let id = slots[Int(truncatingIfNeeded: hash) & (slots.count - 1)]
        return id < 0 ? 0 : entries.withUnsafeBufferPointer { $0[Int(id)].hash }
    }

    /// Adds a name known to be absent, with an empty queue; returns its entry index.
    mutating func insert(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, sequence: UInt64) -> Int {
        let id = entries.count
        if (id + 1) * 2 > slots.count { rebuildIndex(capacity: max(16, slots.count * 2)) }
        let start = arena.count
        arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        entries.append(Entry(hash: hash, nameStart: start, nameCount: n, touched: true,
                             queue: MetricQueue(sequence: sequence)))
        place(id, hash: hash)
        return id
    }

    /// The queue of entry `id`, mutated in place.
    @inline(__always)
    mutating func withQueue<T>(_ id: Int, _ body: (inout MetricQueue) -> T) -> T {
        entries.withUnsafeMutableBufferPointer { entries in
            entries[id].touched = true
            return body(&entries[id].queue)
        }
    }

    func queue(_ id: Int) -> MetricQueue { entries[id].queue }

    /// Takes the points of entry `id`, leaving its queue empty (the entry stays until a sweep).
    mutating func takePoints(_ id: Int) -> ContiguousArray<CachedPoint> {
        entries.withUnsafeMutableBufferPointer { entries in
            var taken: ContiguousArray<CachedPoint> = []
            swap(&taken, &entries[id].queue.points)
            entries[id].queue.newest = -.infinity
            return taken
        }
    }

    public func name(_ id: Int) -> String {
        let start = entries[id].nameStart, end = start + entries[id].nameCount
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    func pointCount(_ id: Int) -> Int { entries[id].queue.points.count }

    /// Removes the entries with no points that nobody stored to since the last sweep, and
    /// starts a new sweep period. Returns how many were removed.
    @discardableResult
    mutating func sweep() -> Int {
        var kept = MetricTable()
        kept.entries.reserveCapacity(entries.count)
        var removed = 0
        arena.withUnsafeBytes { arena in
            for entry in entries {
                if entry.queue.points.isEmpty && !entry.touched {
                    removed += 1
                    continue
                }
                let start = kept.arena.count
                kept.arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: arena[entry.nameStart..<(entry.nameStart + entry.nameCount)]))
                var moved = entry
                moved.nameStart = start
                moved.touched = false
                kept.entries.append(moved)
            }
        }
        guard removed > 0 else {
            for i in entries.indices { entries[i].touched = false }
            return 0
        }
        var capacity = 16
        while capacity < kept.entries.count * 2 { capacity <<= 1 }
        kept.rebuildIndex(capacity: capacity)
        self = kept
        return removed
    }

    private mutating func rebuildIndex(capacity: Int) {
        slots = Array(repeating: -1, count: capacity)
        for id in entries.indices { place(id, hash: entries[id].hash) }
    }

    private mutating func place(_ id: Int, hash: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }
}
