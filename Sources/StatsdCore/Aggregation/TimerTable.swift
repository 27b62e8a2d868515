import NameBytes

/// The timers of one interval in statsd's first-insertion order, their samples in arrival order.
struct TimerTable: Sendable {
    var names = NameTable()
    /// Per timer: the sum of 1/sampleRate over its samples (statsd's `timer_counters`).
    var sampleCounts: [Double] = []
    /// Samples in arrival order, as (timer id, value) pairs.
    var sampleIDs: [Int32] = []
    var sampleValues: [Double] = []

    var count: Int { names.count }

    /// Records a sample of weight 1/sampleRate. Returns false when the name is new and
    /// `mayInsert` is false (the key limit is reached).
    @inline(__always)
    mutating func add(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, weight: Double, mayInsert: Bool) -> Bool {
        let id: Int
        if let found = names.find(p, n, hash: hash) {
            id = found
        } else {
            guard mayInsert else { return false }
            id = names.insert(p, n, hash: hash)
            sampleCounts.append(0)
        }
        sampleCounts[id] += weight
        sampleIDs.append(Int32(id))
        sampleValues.append(value)
        return true
    }

    /// Appends another interval's samples; at most `room` new names (the samples of a refused
    /// name are dropped). Returns how many new names were refused.
    mutating func merge(_ other: TimerTable, room: Int) -> Int {
        let before = count
        var refused = 0
        var idMap = [Int](repeating: -1, count: other.count)
        for id in 0..<other.count {
            other.names.withName(id) { p, n, hash in
                if let found = names.find(p, n, hash: hash) {
                    idMap[id] = found
                } else if count - before < room {
                    idMap[id] = names.insert(p, n, hash: hash)
                    sampleCounts.append(0)
                } else {
                    refused += 1
                }
            }
            if idMap[id] >= 0 { sampleCounts[idMap[id]] += other.sampleCounts[id] }
        }
        for (i, sid) in other.sampleIDs.enumerated() where idMap[Int(sid)] >= 0 {
            sampleIDs.append(Int32(idMap[Int(sid)]))
            sampleValues.append(other.sampleValues[i])
        }
        return refused
    }

    /// statsd's clear_metrics for timers (docs/statsd.md §3.5): samples gone, and with
    /// deleteTimers the names too.
    mutating func reset(deleting: Bool) {
        sampleIDs.removeAll(keepingCapacity: true)
        sampleValues.removeAll(keepingCapacity: true)
        if deleting {
            names.removeAll()
            sampleCounts.removeAll(keepingCapacity: true)
        } else {
            for i in sampleCounts.indices { sampleCounts[i] = 0 }
        }
    }

    /// Deletes the timers whose name satisfies `predicate`, with their samples; returns their
    /// names in order.
    mutating func remove(where predicate: (String) -> Bool) -> [String] {
        guard let (removed, mapping) = names.remove(where: predicate) else { return [] }
        sampleCounts = NameTable.compacted(sampleCounts, by: mapping)
        var ids: [Int32] = [], values: [Double] = []
        for (i, sid) in sampleIDs.enumerated() where mapping[Int(sid)] >= 0 {
            ids.append(Int32(mapping[Int(sid)]))
            values.append(sampleValues[i])
        }
        sampleIDs = ids
        sampleValues = values
        return removed
    }

    mutating func removeAll() {
        names.removeAll()
        sampleCounts.removeAll(keepingCapacity: true)
        sampleIDs.removeAll(keepingCapacity: true)
        sampleValues.removeAll(keepingCapacity: true)
    }

    /// All sample values grouped by timer id (stable, so arrival order within a timer): timer
    /// `id` owns `values[offsets[id] ..< offsets[id + 1]]`.
    func groupedValues() -> (values: [Double], offsets: [Int]) {
        var offsets = [Int](repeating: 0, count: count + 1)
        for id in sampleIDs { offsets[Int(id) + 1] += 1 }
        for i in 0..<count { offsets[i + 1] += offsets[i] }
        var cursor = offsets
        var values = [Double](repeating: 0, count: sampleValues.count)
        for (i, id) in sampleIDs.enumerated() {
            values[cursor[Int(id)]] = sampleValues[i]
            cursor[Int(id)] += 1
        }
        return (values, offsets)
    }

    /// A timer's values in arrival order and its sample-scaled count.
    func timer(_ name: String) -> (values: [Double], count: Double)? {
        guard let id = names.find(name) else { return nil }
        var values: [Double] = []
        for (i, sid) in sampleIDs.enumerated() where Int(sid) == id { values.append(sampleValues[i]) }
        return (values, sampleCounts[id])
    }

    /// Every timer in insertion order with its values in arrival order.
    var all: [(name: String, values: [Double], count: Double)] {
        let grouped = groupedValues()
        return (0..<count).map { id in
            (names.name(id), Array(grouped.values[grouped.offsets[id]..<grouped.offsets[id + 1]]), sampleCounts[id])
        }
    }
}
