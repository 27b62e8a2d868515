import NameBytes

/// The counters of one interval in statsd's first-insertion order.
struct CounterTable: Sendable {
    var names = NameTable()
    var values: [Double] = []

    var count: Int { names.count }

    /// statsd: `if (!counters[key]) counters[key] = 0; counters[key] += value`. Returns false
    /// when the name is new and `mayInsert` is false (the key limit is reached).
    @inline(__always)
    mutating func add(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, mayInsert: Bool) -> Bool {
        if let id = names.find(p, n, hash: hash) {
            let current = values[id]
            values[id] = (current == 0 || current.isNaN ? 0 : current) + value
        } else {
            guard mayInsert else { return false }
            _ = names.insert(p, n, hash: hash)
            values.append(0 + value)
        }
        return true
    }

    /// Sets a counter, creating it if needed (statsd's startup zeroes, resets).
    mutating func set(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double) {
        if let id = names.find(p, n, hash: hash) { values[id] = value } else {
            _ = names.insert(p, n, hash: hash)
            values.append(value)
        }
    }

    /// Adds to one of statsd's own counters; an absent one is created at `created`.
    mutating func addInternal(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ amount: Double, created: Double) {
        if let id = names.find(p, n, hash: hash) { values[id] += amount } else {
            _ = names.insert(p, n, hash: hash)
            values.append(created)
        }
    }

    /// Adds another interval's counters; at most `room` new names. Returns how many new names
    /// were refused.
    mutating func merge(_ other: CounterTable, room: Int) -> Int {
        let before = count
        var refused = 0
        for id in 0..<other.count {
            other.names.withName(id) { p, n, hash in
                if !add(p, n, hash: hash, other.values[id], mayInsert: count - before < room) { refused += 1 }
            }
        }
        return refused
    }

    /// statsd's clear_metrics for counters (docs/statsd.md §3.5): back to 0, or with
    /// deleteCounters deleted, except keys containing `packets_received`, `metrics_received`
    /// or `bad_lines_seen`.
    mutating func reset(deleting: Bool) {
        if deleting {
            let keep = (0..<count).map { id in
                let name = names.name(id)
                return name.contains("packets_received") || name.contains("metrics_received") || name.contains("bad_lines_seen")
            }
            _ = names.compact { keep[$0] }
            values = [Double](repeating: 0, count: count)
        } else {
            for i in values.indices { values[i] = 0 }
        }
    }

    /// Deletes the counters whose name satisfies `predicate`; returns their names in order.
    mutating func remove(where predicate: (String) -> Bool) -> [String] {
        guard let (removed, mapping) = names.remove(where: predicate) else { return [] }
        values = NameTable.compacted(values, by: mapping)
        return removed
    }

    mutating func removeAll() {
        names.removeAll()
        values.removeAll(keepingCapacity: true)
    }

    func value(_ name: String) -> Double? { names.find(name).map { values[$0] } }

    /// Every counter in insertion order.
    var all: [(name: String, value: Double)] { (0..<count).map { (names.name($0), values[$0]) } }
}
