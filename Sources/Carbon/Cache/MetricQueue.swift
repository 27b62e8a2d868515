/// The points cached for one metric, in the order their timestamps were first stored (the
/// order carbonlink answers in). A timestamp stored again replaces its value in place.
struct MetricQueue {
    var points: ContiguousArray<CachedPoint>
    /// When the metric entered the cache; breaks ties in drain order (newer first, as carbon).
    var sequence: UInt64
    /// Largest timestamp so far: points arriving in time order skip the duplicate search.
    var newest: Double

    init(sequence: UInt64) {
        points = []
        self.sequence = sequence
        newest = -.infinity
    }

    /// Stores a point; returns false when it replaced the value of an equal timestamp.
    mutating func store(_ point: CachedPoint) -> Bool {
        if point.timestamp > newest {
            newest = point.timestamp
            points.append(point)
            return true
        }
        if let i = points.lastIndex(where: { $0.timestamp == point.timestamp }) {
            points[i].value = point.value
            return false
        }
        points.append(point)
        return true
    }

    /// Adds a point only if its timestamp is not cached yet (a newer value received meanwhile
    /// wins over one being put back after a failed write).
    mutating func restore(_ point: CachedPoint) -> Bool {
        if point.timestamp <= newest, points.contains(where: { $0.timestamp == point.timestamp }) { return false }
        newest = max(newest, point.timestamp)
        points.append(point)
        return true
    }

    var oldestTimestamp: Double { points.lazy.map(\.timestamp).min() ?? .infinity }

    func sortedPoints() -> [CachedPoint] {
        points.sorted { $0.timestamp < $1.timestamp }
    }
}
