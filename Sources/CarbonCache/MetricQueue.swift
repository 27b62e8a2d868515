import CarbonConfig

/// The points cached for one metric, in the order their timestamps were first stored (the
/// order carbonlink answers in). A timestamp stored again replaces its value in place.
struct MetricQueue {
    public var points: ContiguousArray<CachedPoint>
    /// Largest timestamp so far: points arriving in time order skip the duplicate search.
    var newest: Double
    /// The sequence shifted left by one, `touched` in bit 0: a queue is 24 bytes, not 32, which
    /// is 8 bytes per metric the cache knows (a million of them at steady state).
    private var stamp: UInt64

    init(sequence: UInt64) {
        points = []
        newest = -.infinity
        stamp = sequence << 1 | 1
    }

    /// When the metric entered the cache; breaks ties in drain order (newer first, as carbon).
    var sequence: UInt64 {
        get { stamp >> 1 }
        set { stamp = newValue << 1 | stamp & 1 }
    }

    /// Stored to since the last sweep (`MetricTable.sweep`).
    var touched: Bool {
        get { stamp & 1 == 1 }
        set { stamp = stamp & ~1 | (newValue ? 1 : 0) }
    }

    /// Stores a point; returns false when it replaced the value of an equal timestamp.
    mutating func store(_ point: CachedPoint) -> Bool {
        if point.timestamp > newest {
            newest = point.timestamp
            append(point)
            return true
        }
        if let i = points.lastIndex(where: { $0.timestamp == point.timestamp }) {
            points[i].value = point.value
            return false
        }
        append(point)
        return true
    }

    /// Grows by an eighth (at least 4 points) instead of doubling: the spare room of a short
    /// queue is a few points (part of the per-metric overhead), so a cached point costs its 16
    /// bytes, plus at most 12.5 % in a deep queue.
    @inline(__always)
    private mutating func append(_ point: CachedPoint) {
        if points.count == points.capacity {
            points.reserveCapacity(points.count + max(4, points.count / 8))
        }
        points.append(point)
    }

    /// Adds a point only if its timestamp is not cached yet (a newer value received meanwhile
    /// wins over one being put back after a failed write).
    mutating func restore(_ point: CachedPoint) -> Bool {
        if point.timestamp <= newest, points.contains(where: { $0.timestamp == point.timestamp }) { return false }
        newest = max(newest, point.timestamp)
        append(point)
        return true
    }

    var oldestTimestamp: Double { points.lazy.map(\.timestamp).min() ?? .infinity }

    /// The points in time order (usually already so: then no sort).
    static func sorted(_ points: ContiguousArray<CachedPoint>) -> [CachedPoint] {
        var ordered = true
        for i in points.indices.dropFirst() where points[i - 1].timestamp > points[i].timestamp {
            ordered = false
            break
        }
        return ordered ? Array(points) : points.sorted { $0.timestamp < $1.timestamp }
    }
}
