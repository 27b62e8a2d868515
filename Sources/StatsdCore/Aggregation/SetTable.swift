import NameBytes

/// The sets of one interval in statsd's first-insertion order, each with its distinct members.
struct SetTable: Sendable {
    var names = NameTable()
    var members: [Set<SetMember>] = []

    var count: Int { names.count }

    /// Inserts a member; `member == nil` creates the set without one (statsd ignores the member
    /// `__proto__`). Returns false when the name is new and `mayInsert` is false.
    @inline(__always)
    mutating func add(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, member: SetMember?, mayInsert: Bool) -> Bool {
        let id: Int
        if let found = names.find(p, n, hash: hash) {
            id = found
        } else {
            guard mayInsert else { return false }
            id = names.insert(p, n, hash: hash)
            members.append([])
        }
        if let member { members[id].insert(member) }
        return true
    }

    /// Joins another interval's members; at most `room` new names. Returns how many new names
    /// were refused.
    mutating func merge(_ other: SetTable, room: Int) -> Int {
        let before = count
        var refused = 0
        for id in 0..<other.count {
            other.names.withName(id) { p, n, hash in
                if let found = names.find(p, n, hash: hash) {
                    members[found].formUnion(other.members[id])
                } else if count - before < room {
                    _ = names.insert(p, n, hash: hash)
                    members.append(other.members[id])
                } else {
                    refused += 1
                }
            }
        }
        return refused
    }

    /// statsd's clear_metrics for sets (docs/statsd.md §3.5): emptied, or with deleteSets
    /// deleted.
    mutating func reset(deleting: Bool) {
        if deleting {
            removeAll()
        } else {
            for i in members.indices { members[i].removeAll() }
        }
    }

    /// Deletes the sets whose name satisfies `predicate`; returns their names in order.
    mutating func remove(where predicate: (String) -> Bool) -> [String] {
        guard let (removed, mapping) = names.remove(where: predicate) else { return [] }
        members = NameTable.compacted(members, by: mapping)
        return removed
    }

    mutating func removeAll() {
        names.removeAll()
        members.removeAll(keepingCapacity: true)
    }

    func members(_ name: String) -> Set<String>? { names.find(name).map { Set(members[$0].map(\.text)) } }

    /// Every set in insertion order.
    var all: [(name: String, members: Set<String>)] { (0..<count).map { (names.name($0), Set(members[$0].map(\.text))) } }
}
