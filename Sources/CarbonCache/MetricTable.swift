import CarbonConfig
import NameBytes

/// One cache shard's metrics: the shard's `NameTable` and, by the same ids, each metric's queue.
///
/// Looked up by bytes, so a receiver stores a point without making a `String` for a name the
/// cache already knows. An entry outlives its points: the writer empties a queue, the next
/// round's point finds the entry again instead of rebuilding it. Entries idle for a whole sweep
/// period are removed by `sweep()`, so the table holds the metrics seen recently, not every
/// metric ever seen.
struct MetricTable {
    private(set) var names = NameTable()
    /// Each entry's queue (which also knows whether it was stored to since the last sweep).
    private(set) var entries: ContiguousArray<MetricQueue> = []

    var count: Int { entries.count }
    /// Where `touch` results go, so the loads are not optimised away.
    var touchSink: UInt64 = 0

    /// The entry of the name, if any.
    @inline(__always)
    func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int? { names.find(p, n, hash: hash) }

    /// Loads the memory a `find` of this hash will read first (see `NameTable.touch`).
    @inline(__always)
    func touch(hash: UInt64) -> UInt64 { names.touch(hash: hash) }

    /// Adds a name known to be absent, with an empty queue; returns its entry index.
    mutating func insert(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, sequence: UInt64) -> Int {
        let id = names.insert(p, n, hash: hash)
        entries.append(MetricQueue(sequence: sequence))
        return id
    }

    /// The queue of entry `id`, mutated in place.
    @inline(__always)
    mutating func withQueue<T>(_ id: Int, _ body: (inout MetricQueue) -> T) -> T {
        entries.withUnsafeMutableBufferPointer { entries in
            entries[id].touched = true
            return body(&entries[id])
        }
    }

    func queue(_ id: Int) -> MetricQueue { entries[id] }

    /// Takes the points of entry `id`, leaving its queue empty (the entry stays until a sweep).
    mutating func takePoints(_ id: Int) -> ContiguousArray<CachedPoint> {
        entries.withUnsafeMutableBufferPointer { entries in
            var taken: ContiguousArray<CachedPoint> = []
            swap(&taken, &entries[id].points)
            entries[id].newest = -.infinity
            return taken
        }
    }

    func name(_ id: Int) -> String { names.name(id) }

    func pointCount(_ id: Int) -> Int { entries[id].points.count }

    /// Removes the entries with no points that nobody stored to since the last sweep, and
    /// starts a new sweep period. Returns how many were removed and their names' bytes.
    @discardableResult
    mutating func sweep() -> (entries: Int, nameBytes: Int) {
        let idle = entries.map { $0.points.isEmpty && !$0.touched }
        for i in entries.indices { entries[i].touched = false }
        let removed = idle.lazy.filter { $0 }.count
        guard removed > 0 else { return (0, 0) }
        let before = names.arenaByteCount
        let mapping = names.compact { !idle[$0] }
        entries = NameTable.compacted(entries, by: mapping)
        return (removed, before - names.arenaByteCount)
    }
}
