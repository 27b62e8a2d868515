/// An insertion-ordered open-addressing map from name bytes to dense ids `0..<count`: the one
/// name table behind statsd's per-kind tables and each cache shard. The owner keeps its values
/// in arrays indexed by id.
///
/// Names live in one byte arena, so a new name costs no allocation of its own, and a lookup
/// takes bytes, so a caller holding a name in a socket buffer never builds a `String`. Names
/// are placed at `hash & mask` and probed linearly; the hash is seeded per process
/// (`NameHash`), so a sender cannot precompute one long chain. Removal is by `compact`, which
/// rebuilds the table (statsd does it at flush time, the cache at a sweep).
public struct NameTable: Sendable {
    /// A name's hash and where it ends in the arena (it starts where the previous id ends), side
    /// by side so a probe reads one place for both.
    @usableFromInline
    struct Record: Sendable {
        @usableFromInline var hash: UInt64
        @usableFromInline var end: Int

        @inlinable init(hash: UInt64, end: Int) {
            self.hash = hash
            self.end = end
        }
    }

    @usableFromInline var records: ContiguousArray<Record> = []
    @usableFromInline var arena: ContiguousArray<UInt8> = []
    /// -1 = empty, else an id. The capacity is a power of two, at most half full.
    @usableFromInline var slots: ContiguousArray<Int32> = []

    public init() {}

    public var count: Int { records.count }

    /// The bytes of all names, for the memory figures.
    public var arenaByteCount: Int { arena.count }

    /// The id of the name, if present.
    @inlinable
    public func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            records.withUnsafeBufferPointer { records in
                arena.withUnsafeBufferPointer { arena in
                    let mask = slots.count - 1
                    var s = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let id = Int(slots[s])
                        if id < 0 { return nil }
                        if records[id].hash == hash {
                            let start = id == 0 ? 0 : records[id - 1].end
                            if records[id].end - start == n
                                && (n == 0 || NameHash.bytesEqual(arena.baseAddress! + start, p, n)) {
                                return id
                            }
                        }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    /// Loads the memory a `find` of this hash reads first, so that the cache misses of many
    /// names overlap instead of following one another. The result only keeps the loads alive.
    @inlinable
    public func touch(hash: UInt64) -> UInt64 {
        guard !slots.isEmpty else { return 0 }
        let id = slots[Int(truncatingIfNeeded: hash) & (slots.count - 1)]
        return id < 0 ? 0 : records.withUnsafeBufferPointer { $0[Int(id)].hash }
    }

    /// Adds a name known to be absent; returns its id (the previous `count`).
    @inlinable
    public mutating func insert(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int {
        let id = records.count
        if (id + 1) * 2 > slots.count { rebuildSlots(capacity: max(16, slots.count * 2)) }
        arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        records.append(Record(hash: hash, end: arena.count))
        place(id, hash: hash)
        return id
    }

    @usableFromInline
    mutating func place(_ id: Int, hash: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }

    @usableFromInline
    mutating func rebuildSlots(capacity: Int) {
        slots = ContiguousArray(repeating: -1, count: capacity)
        for id in records.indices { place(id, hash: records[id].hash) }
    }

    /// Runs `body` on the bytes of name `id`.
    @inlinable
    public func withNameBytes<R>(_ id: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = id == 0 ? 0 : records[id - 1].end, end = records[id].end
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Runs `body` on name `id` as a lookup takes it: bytes, length and hash (to find or insert
    /// it in another table without hashing it again).
    @inlinable
    public func withName<R>(_ id: Int, _ body: (UnsafeRawPointer, Int, UInt64) throws -> R) rethrows -> R {
        let hash = records[id].hash
        return try withNameBytes(id) { try body($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, $0.count, hash) }
    }

    /// The hash name `id` was inserted with.
    @inlinable
    public func hash(of id: Int) -> UInt64 { records[id].hash }

    public func name(_ id: Int) -> String {
        withNameBytes(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// The id of a name given as a `String` (the writers' per-file state, admin commands, tests).
    public func find(_ name: String) -> Int? {
        NameHash.withHashedBytes(of: name) { p, n, hash in find(p, n, hash: hash) }
    }

    /// Adds a name given as a `String`, known to be absent; returns its id.
    public mutating func insert(_ name: String) -> Int {
        NameHash.withHashedBytes(of: name) { p, n, hash in insert(p, n, hash: hash) }
    }

    /// Forgets every name, keeping the allocations for the next interval.
    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        if !slots.isEmpty {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
    }

    /// Keeps the ids for which `keep` is true, in their order, renumbered from 0. Returns old id
    /// -> new id (-1 = removed), for the owner to move its values.
    public mutating func compact(keep: (Int) -> Bool) -> [Int] {
        var mapping = [Int](repeating: -1, count: count)
        var kept = NameTable()
        kept.records.reserveCapacity(count)
        arena.withUnsafeBytes { arena in
            var start = 0
            for id in records.indices {
                let end = records[id].end
                defer { start = end }
                guard keep(id) else { continue }
                mapping[id] = kept.records.count
                kept.arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: arena[start..<end]))
                kept.records.append(Record(hash: records[id].hash, end: kept.arena.count))
            }
        }
        var capacity = 16
        while capacity < kept.records.count * 2 { capacity <<= 1 }
        kept.rebuildSlots(capacity: capacity)
        self = kept
        return mapping
    }

    /// Removes the names satisfying `predicate`. Returns their names in id order and the
    /// `compact` mapping, or nil when none matched (nothing changed).
    public mutating func remove(where predicate: (String) -> Bool) -> (names: [String], mapping: [Int])? {
        let doomed = (0..<count).filter { predicate(name($0)) }
        guard !doomed.isEmpty else { return nil }
        let names = doomed.map { name($0) }
        let gone = Set(doomed)
        return (names, compact { !gone.contains($0) })
    }

    /// Values of ids `0..<mapping.count` moved to their new ids after `compact` (removed ids'
    /// values dropped), in order.
    public static func compacted<Values: RangeReplaceableCollection>(_ values: Values, by mapping: [Int]) -> Values {
        var moved = Values()
        moved.reserveCapacity(values.count)
        for (value, new) in zip(values, mapping) where new >= 0 { moved.append(value) }
        return moved
    }
}
