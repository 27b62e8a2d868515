import CarbonConfig
import Glibc
import Synchronization

/// The metric name tree in memory, so a find never walks directories (docs/reads.md §3):
/// every whisper file and directory under the data directory, and every name still waiting in
/// the cache for its file. Compact: a node is 16 bytes plus its name's bytes in one arena and
/// 4 bytes in its parent's child list.
///
/// Names reported by other threads (the writers' creates) are queued and applied by the next
/// reader or by `applyPending`, so a writer never waits behind a long query.
public final class MetricNameTree: @unchecked Sendable {
    struct Node {
        var nameOffset: UInt32
        var nameLength: UInt16
        var kinds: UInt8
        /// Child node numbers, sorted by their names' bytes.
        var children: [UInt32]
    }

    private var nodes: [Node] = [Node(nameOffset: 0, nameLength: 0, kinds: NameKinds.branch.rawValue, children: [])]
    private var arena: [UInt8] = []
    private var leaves = 0
    private var waiting = 0
    private let lock = ReadWriteLock()
    private let pending = Mutex<[(path: [UInt8], kind: NameKinds)]>([])

    public init() {}

    /// Leaves known (files and cache-only names).
    public var leafCount: Int {
        applyPending()
        return lock.reading { leaves }
    }
    /// Leaves whose points wait in the cache for their file (the create backlog).
    public var waitingLeafCount: Int {
        applyPending()
        return lock.reading { waiting }
    }
    /// Nodes of the tree (leaves and branches).
    public var nodeCount: Int { lock.reading { nodes.count } }
    /// Bytes the tree holds: nodes, child lists and names.
    public var memoryBytes: Int {
        lock.reading {
            nodes.capacity * MemoryLayout<Node>.stride + arena.capacity
                + nodes.reduce(0) { $0 + $1.children.capacity * 4 }
        }
    }

    /// Queues `path` (components separated by `.`) for the next reader: the writers' way in.
    public func note(_ path: [UInt8], as kind: NameKinds) {
        pending.withLock { $0.append((path, kind)) }
    }

    /// Applies what `note` queued.
    public func applyPending() {
        let batch = pending.withLock { queued -> [(path: [UInt8], kind: NameKinds)] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        guard !batch.isEmpty else { return }
        lock.writing {
            for entry in batch { insertLocked(entry.path, as: entry.kind) }
        }
    }

    /// Adds names at once (the start-up walk, tests).
    public func insert(_ paths: [(path: [UInt8], kind: NameKinds)]) {
        lock.writing {
            for entry in paths { insertLocked(entry.path, as: entry.kind) }
        }
    }

    public func insert(_ path: String, as kind: NameKinds) {
        insert([(Array(path.utf8), kind)])
    }

    private func insertLocked(_ path: [UInt8], as kind: NameKinds) {
        var node = 0
        var start = 0
        while true {
            let end = path[start...].firstIndex(of: UInt8(ascii: ".")) ?? path.count
            let last = end == path.count
            node = child(of: node, named: path[start..<end], creating: true)!
            let before = NameKinds(rawValue: nodes[node].kinds)
            let after = before.union(last ? kind : .branch)
            if !before.isLeaf && after.isLeaf { leaves += 1 }
            waiting += (after.isWaiting ? 1 : 0) - (before.isWaiting ? 1 : 0)
            nodes[node].kinds = after.rawValue
            if last { return }
            start = end + 1
        }
    }

    /// The child of `parent` with this name; created (no kinds yet) when asked and missing.
    private func child(of parent: Int, named name: ArraySlice<UInt8>, creating: Bool) -> Int? {
        let (found, position) = search(parent, name)
        if let found { return found }
        guard creating, name.count <= Int(UInt16.max) else { return nil }
        let index = UInt32(nodes.count)
        nodes.append(Node(nameOffset: UInt32(arena.count), nameLength: UInt16(name.count), kinds: 0, children: []))
        arena.append(contentsOf: name)
        nodes[parent].children.insert(index, at: position)
        return Int(index)
    }

    /// Binary search of `parent`'s children: the match, or where it would go.
    private func search(_ parent: Int, _ name: ArraySlice<UInt8>) -> (Int?, Int) {
        let children = nodes[parent].children
        var low = 0, high = children.count
        while low < high {
            let mid = (low + high) / 2
            let order = compare(Int(children[mid]), name)
            if order == 0 { return (Int(children[mid]), mid) }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return (nil, low)
    }

    private func compare(_ node: Int, _ name: ArraySlice<UInt8>) -> Int32 {
        let n = nodes[node]
        return arena.withUnsafeBufferPointer { a in
            name.withUnsafeBufferPointer { b in
                let length = Int(n.nameLength)
                let common = min(length, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress! + Int(n.nameOffset), b.baseAddress!, common)
                if order != 0 { return order }
                return length < b.count ? -1 : length > b.count ? 1 : 0
            }
        }
    }

    /// Every node `pattern` matches, leaves and branches (a name that is both gives both), in
    /// no particular order (each answer format sorts as graphite-web does); at most `limit`
    /// leaves, else `QueryError.tooManySeries`.
    public func find(_ pattern: PathPattern, limit: Int, deadline: Deadline = .none) throws(QueryError) -> [FindMatch] {
        applyPending()
        return try lock.reading { () throws(QueryError) -> [FindMatch] in
            var search = TreeSearch(tree: self, pattern: pattern, limit: limit, deadline: deadline)
            try search.visit(0, component: 0)
            // `**` can reach a node along several paths.
            return pattern.components.contains(where: \.isGlobstar) ? Array(Set(search.matches)) : search.matches
        }
    }

    /// The walk of one find, under the read lock.
    struct TreeSearch {
        let tree: MetricNameTree
        let pattern: PathPattern
        let limit: Int
        let deadline: Deadline
        var matches: [FindMatch] = []
        var leafCount = 0
        var visits = 0
        var path: [UInt8] = []

        /// Counts nodes looked at; every 4096 the deadline is checked.
        mutating func tick() throws(QueryError) {
            visits += 1
            if visits & 0xFFF == 0, deadline.hasExpired() { throw .timedOut(seconds: deadline.seconds) }
        }

        mutating func visit(_ node: Int, component c: Int) throws(QueryError) {
            let component = pattern.components[c]
            let last = c == pattern.components.count - 1
            if component.isGlobstar {
                try globstar(node, from: c, last: last)
                return
            }
            if let exact = component.exactNames {
                for name in exact {
                    let (found, _) = tree.search(node, name[...])
                    if let found { try take(found, component: c, last: last) }
                }
                return
            }
            for child in tree.nodes[node].children {
                try tick()
                let n = tree.nodes[Int(child)]
                let matched = tree.arena.withUnsafeBytes { arena in
                    component.matches(UnsafeRawBufferPointer(rebasing: arena[Int(n.nameOffset)..<Int(n.nameOffset) + Int(n.nameLength)]))
                }
                if matched { try take(Int(child), component: c, last: last) }
            }
        }

        /// `**`: this node and every branch below it go on with the next component; a final
        /// `**` matches every child of those (graphite-web's standard finder).
        mutating func globstar(_ node: Int, from c: Int, last: Bool) throws(QueryError) {
            if last {
                for child in tree.nodes[node].children { try take(Int(child), component: c, last: true) }
            } else {
                try visit(node, component: c + 1)
            }
            for child in tree.nodes[node].children where NameKinds(rawValue: tree.nodes[Int(child)].kinds).contains(.branch) {
                try tick()
                let mark = enter(Int(child))
                try globstar(Int(child), from: c, last: last)
                path.removeSubrange(mark...)
            }
        }

        mutating func take(_ node: Int, component c: Int, last: Bool) throws(QueryError) {
            let kinds = NameKinds(rawValue: tree.nodes[node].kinds)
            let mark = enter(node)
            defer { path.removeSubrange(mark...) }
            if last {
                let name = String(decoding: path.dropFirst(), as: UTF8.self)
                if kinds.contains(.branch) { matches.append(FindMatch(path: name, isLeaf: false, onDisk: true)) }
                if kinds.isLeaf {
                    leafCount += 1
                    guard leafCount <= limit else { throw .tooManySeries(limit: limit) }
                    matches.append(FindMatch(path: name, isLeaf: true, onDisk: kinds.contains(.leafOnDisk)))
                }
            } else if kinds.contains(.branch) {
                try visit(node, component: c + 1)
            }
        }

        /// Appends `.name` to the path; returns where it started.
        mutating func enter(_ node: Int) -> Int {
            let mark = path.count
            let n = tree.nodes[node]
            path.append(UInt8(ascii: "."))
            path.append(contentsOf: tree.arena[Int(n.nameOffset)..<Int(n.nameOffset) + Int(n.nameLength)])
            return mark
        }
    }
}
