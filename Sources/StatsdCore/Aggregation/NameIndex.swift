import NameBytes

/// An insertion-ordered open-addressing map from name bytes to dense ids 0..<count. Names live
/// in one byte arena, so a new key costs no allocation of its own. Removal rebuilds the index
/// (it happens only at flush time and from the admin interface).
struct NameIndex: Sendable {
    private(set) var arena: [UInt8] = []
    /// Name `id` is `arena[offsets[id] ..< offsets[id + 1]]`.
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// -1 = empty, else an id. The capacity is a power of two, at most half full.
    private var slots: [Int32] = []

    var count: Int { hashes.count }

    func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                offsets.withUnsafeBufferPointer { offsets in
                    hashes.withUnsafeBufferPointer { hashes in
                        let mask = slots.count - 1
                        var s = Int(truncatingIfNeeded: hash) & mask
                        while true {
                            let id = Int(slots[s])
                            if id < 0 { return nil }
                            if hashes[id] == hash {
                                let start = offsets[id]
                                if offsets[id + 1] - start == n
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
    }

    /// Adds a name known to be absent; returns its id.
    mutating func insert(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int {
        let id = hashes.count
        if (id + 1) * 2 > slots.count { grow() }
        arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        offsets.append(arena.count)
        hashes.append(hash)
        place(id, hash: hash)
        return id
    }

    private mutating func place(_ id: Int, hash: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        slots.withUnsafeMutableBufferPointer { slots in
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }

    private mutating func grow() {
        let capacity = max(16, slots.count * 2)
        slots = [Int32](repeating: -1, count: capacity)
        for id in 0..<hashes.count { place(id, hash: hashes[id]) }
    }

    func nameBytes(_ id: Int) -> ArraySlice<UInt8> { arena[offsets[id]..<offsets[id + 1]] }

    func name(_ id: Int) -> String { String(decoding: nameBytes(id), as: UTF8.self) }

    func find(_ name: String) -> Int? {
        var copy = name
        return copy.withUTF8 { buffer in
            let n = buffer.count
            guard n > 0 else { return find(UnsafeRawPointer(bitPattern: 1)!, 0, hash: NameHash.hash(UnsafeRawPointer(bitPattern: 1)!, 0)) }
            let p = UnsafeRawPointer(buffer.baseAddress!)
            return find(p, n, hash: NameHash.hash(p, n))
        }
    }

    mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        hashes.removeAll(keepingCapacity: true)
        if !slots.isEmpty {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
    }

    /// Keeps the ids for which `keep` is true, in their order. Returns old id -> new id (-1 =
    /// removed).
    mutating func compact(keep: (Int) -> Bool) -> [Int] {
        var mapping = [Int](repeating: -1, count: count)
        var newIndex = NameIndex()
        for id in 0..<count where keep(id) {
            let bytes = nameBytes(id)
            mapping[id] = bytes.withUnsafeBytes { raw in
                newIndex.insert(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, raw.count, hash: hashes[id])
            }
        }
        self = newIndex
        return mapping
    }
}
