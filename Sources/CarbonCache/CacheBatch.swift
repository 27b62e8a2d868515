import CarbonConfig
import NameBytes

/// The datapoints of one socket read, waiting to be stored together: each name is a byte range
/// of the read buffer (valid until the read is handled) with its hash computed once.
///
/// Storing a batch takes each shard's lock once and lets the cache overlap the memory misses
/// of many names, which is where a per-line store spends most of its time.
public struct CacheBatch {
    public init() {}

    private(set) var starts: [UnsafeRawPointer] = []
    private(set) var lengths: [Int] = []
    private(set) var hashes: [UInt64] = []
    public private(set) var points: [CachedPoint] = []
    /// Scratch for grouping by shard, kept between batches.
    private var order: [Int] = []
    private var shardStarts: [Int] = []
    private var shardOfItem: [Int] = []
    private var next: [Int] = []

    public var isEmpty: Bool { starts.isEmpty }
    public var count: Int { starts.count }

    /// Adds a datapoint; `name` must stay valid until the batch is stored.
    public mutating func append(name: UnsafeRawPointer, count: Int, point: CachedPoint) {
        starts.append(name)
        lengths.append(count)
        hashes.append(NameHash.hash(name, count))
        points.append(point)
    }

    @inline(__always)
    public func name(_ item: Int) -> (start: UnsafeRawPointer, count: Int) { (starts[item], lengths[item]) }

    public mutating func removeAll() {
        starts.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        points.removeAll(keepingCapacity: true)
    }

    /// Groups the items by shard (a stable counting sort: one metric's points keep the order
    /// they arrived in); then `forEachShard` visits them.
    mutating func groupByShard(shardCount: Int, shardOf: (UInt64) -> Int) {
        shardStarts.removeAll(keepingCapacity: true)
        shardStarts.append(contentsOf: repeatElement(0, count: shardCount + 1))
        shardOfItem.removeAll(keepingCapacity: true)
        for hash in hashes {
            let shard = shardOf(hash)
            shardOfItem.append(shard)
            shardStarts[shard + 1] += 1
        }
        for shard in 0..<shardCount { shardStarts[shard + 1] += shardStarts[shard] }
        next.removeAll(keepingCapacity: true)
        next.append(contentsOf: shardStarts)
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: repeatElement(0, count: count))
        for (item, shard) in shardOfItem.enumerated() {
            order[next[shard]] = item
            next[shard] += 1
        }
    }

    /// Calls `body` for each shard that has items, with its items in batch order.
    func forEachShard(_ body: (Int, ArraySlice<Int>) -> Void) {
        for shard in 0..<(shardStarts.count - 1) where shardStarts[shard] < shardStarts[shard + 1] {
            body(shard, order[shardStarts[shard]..<shardStarts[shard + 1]])
        }
    }
}
