import NameBytes

/// The gauges of one table in statsd's first-insertion order. Unlike counters, a gauge lives
/// on across flushes (until its TTL runs out, with deleteGauges).
struct GaugeTable: Sendable {
    var names = NameTable()
    var slots: [GaugeSlot] = []

    var count: Int { names.count }

    /// Applies a `|g` sample (signed: a delta). Returns false when the name is new and
    /// `mayInsert` is false (the key limit is reached).
    @inline(__always)
    mutating func apply(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, signed: Bool, mayInsert: Bool) -> Bool {
        if let id = names.find(p, n, hash: hash) {
            slots[id].apply(value, signed: signed)
        } else {
            guard mayInsert else { return false }
            _ = names.insert(p, n, hash: hash)
            slots.append(GaugeSlot(sample: value, signed: signed))
        }
        return true
    }

    /// Sets a gauge without touching its TTL (statsd's `timestamp_lag`).
    mutating func set(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double) {
        if let id = names.find(p, n, hash: hash) {
            slots[id].setAbsolute(value)
        } else {
            _ = names.insert(p, n, hash: hash)
            slots.append(GaugeSlot(absolute: value, ttl: nil))
        }
    }

    /// Applies another table's samples in order on top of this table's values; with a `ttl`
    /// (deleteGauges) every gauge the other table touched gets it anew. At most `room` new
    /// names. Returns how many new names were refused.
    mutating func merge(_ other: GaugeTable, ttl: Int?, room: Int) -> Int {
        let before = count
        var refused = 0
        for id in 0..<other.count {
            let slot = other.slots[id]
            other.names.withName(id) { p, n, hash in
                if let found = names.find(p, n, hash: hash) {
                    slots[found].setAbsolute(slot.resolved(prior: slots[found].resolved(prior: nil)))
                    if let ttl { slots[found].ttl = ttl }
                } else if count - before < room {
                    _ = names.insert(p, n, hash: hash)
                    slots.append(GaugeSlot(absolute: slot.resolved(prior: nil), ttl: ttl))
                } else {
                    refused += 1
                }
            }
        }
        return refused
    }

    /// statsd's clear_metrics for gauges with deleteGauges (docs/statsd.md §3.5): every TTL
    /// drops by one and gauges below 1 are deleted.
    mutating func expire() {
        var keep = [Bool](repeating: true, count: count)
        for id in slots.indices {
            guard let ttl = slots[id].ttl else { continue }
            slots[id].ttl = ttl - 1
            if ttl - 1 < 1 { keep[id] = false }
        }
        guard keep.contains(false) else { return }
        slots = NameTable.compacted(slots, by: names.compact { keep[$0] })
    }

    /// Deletes the gauges whose name satisfies `predicate`; returns their names in order.
    mutating func remove(where predicate: (String) -> Bool) -> [String] {
        guard let (removed, mapping) = names.remove(where: predicate) else { return [] }
        slots = NameTable.compacted(slots, by: mapping)
        return removed
    }

    mutating func removeAll() {
        names.removeAll()
        slots.removeAll(keepingCapacity: true)
    }

    /// A gauge's value, deltas resolved against no prior value.
    func value(_ name: String) -> Double? { names.find(name).map { slots[$0].resolved(prior: nil) } }

    /// Every gauge in insertion order, deltas resolved against no prior value.
    var all: [(name: String, value: Double)] { (0..<count).map { (names.name($0), slots[$0].resolved(prior: nil)) } }
}
