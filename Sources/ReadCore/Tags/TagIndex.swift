import CarbonConfig

/// Every tagged series this Stoker stores (`name;tag=value;...`, carbon's canonical spelling),
/// indexed by tag and value, answering graphite's TagDB questions (docs/reads.md §7). The hashed
/// `_tagged` file names do not hold the names, so the index keeps them itself and, with a
/// `TagIndexLog`, across restarts.
public final class TagIndex: @unchecked Sendable {
    private var ids: [String: Int] = [:]
    /// By id; nil once deleted (ids are not reused).
    private var series: [(name: String, tags: [String: String])?] = []
    /// tag → value → series ids.
    private var postings: [String: [String: Set<Int>]] = [:]
    private let lock = ReadWriteLock()
    private let log: TagIndexLog?

    public init(log: TagIndexLog? = nil) {
        self.log = log
    }

    /// Loads what the log holds (and compacts it): the series known before a restart.
    public func load() throws {
        guard let log else { return }
        let names = try log.load()
        lock.writing {
            for name in names { _ = insertLocked(name) }
        }
    }

    public var count: Int { lock.reading { ids.count } }

    /// Adds a series; returns its canonical name, nil for a name that does not parse. Plain
    /// names are taken only when asked for (`tagSeries`, as graphite-web's database takes them:
    /// carbon with ENABLE_TAGS posts every series), not from the writers.
    @discardableResult
    public func add(_ raw: String, plainNamesToo: Bool = false) -> String? {
        guard plainNamesToo || raw.contains(";") else { return nil }
        // The writers report canonical names, mostly ones already known: no parse for those.
        if lock.reading({ ids[raw] != nil }) { return raw }
        guard let parsed = try? MetricName(parsing: raw) else { return nil }
        if lock.reading({ ids[parsed.normalized] != nil }) { return parsed.normalized }
        let added = lock.writing { insertLocked(parsed.normalized, tags: parsed.tags) }
        if added { log?.append(added: true, parsed.normalized) }
        return parsed.normalized
    }

    /// Removes a series (graphite's delSeries).
    public func remove(_ raw: String) {
        let name = MetricName.normalize(raw)
        let removed = lock.writing { () -> Bool in
            guard let id = ids.removeValue(forKey: name), let entry = series[id] else { return false }
            series[id] = nil
            for (tag, value) in entry.tags {
                postings[tag]?[value]?.remove(id)
                if postings[tag]?[value]?.isEmpty == true { postings[tag]?[value] = nil }
                if postings[tag]?.isEmpty == true { postings[tag] = nil }
            }
            return true
        }
        if removed { log?.append(added: false, name) }
    }

    private func insertLocked(_ name: String, tags: [String: String]? = nil) -> Bool {
        guard ids[name] == nil, let tags = tags ?? (try? MetricName(parsing: name))?.tags else { return false }
        let id = series.count
        series.append((name, tags))
        ids[name] = id
        for (tag, value) in tags { postings[tag, default: [:]][value, default: []].insert(id) }
        return true
    }

    /// graphite's `find_series`: the series every expression accepts, sorted. One expression
    /// must not accept the empty value (it selects; the others filter).
    public func find(_ expressions: [String]) throws(QueryError) -> [String] {
        try matching(expressions) { entries in entries.map(\.name).sorted() }
    }

    /// Runs `body` on the series the expressions find, under one read lock.
    private func matching<T>(_ expressions: [String],
                             _ body: ([(name: String, tags: [String: String])]) -> T) throws(QueryError) -> T {
        var parsed: [TagExpression] = []
        for text in expressions { parsed.append(try TagExpression(text)) }
        return try lock.reading { () throws(QueryError) -> T in body(try findLocked(parsed)) }
    }

    private func findLocked(_ expressions: [TagExpression]) throws(QueryError) -> [(name: String, tags: [String: String])] {
        let selecting = expressions.indices.filter { !expressions[$0].acceptsEmpty }
        // The smallest `=` set if any, else the first expression that selects.
        let equalities = selecting.filter { expressions[$0].op == .equal }
        guard let chosen = equalities.min(by: {
            (postings[expressions[$0].tag]?[expressions[$0].spec]?.count ?? 0)
                < (postings[expressions[$1].tag]?[expressions[$1].spec]?.count ?? 0)
        }) ?? selecting.first else {
            throw .invalidParameter(name: "expr", value: expressions.map { "\($0.tag)\($0.op.rawValue)\($0.spec)" }.joined(separator: ","),
                                    reason: "At least one tagspec must not match the empty string")
        }
        let selector = expressions[chosen]
        var candidates = Set<Int>()
        if selector.op == .equal {
            candidates = postings[selector.tag]?[selector.spec] ?? []
        } else {
            for (value, ids) in postings[selector.tag] ?? [:] where selector.accepts(value) { candidates.formUnion(ids) }
        }
        return candidates.compactMap { id in
            guard let entry = series[id] else { return nil }
            let all = expressions.indices.allSatisfy { $0 == chosen || expressions[$0].accepts(entry.tags[expressions[$0].tag] ?? "") }
            return all ? entry : nil
        }
    }

    /// Tag names, sorted, those `filter` (a regular expression, anchored at the start) accepts.
    public func tags(filter: String?, limit: Int?) throws(QueryError) -> [String] {
        let regex = try Self.regex(filter, name: "filter")
        let all = lock.reading { Array(postings.keys) }.filter { regex == nil || (try? regex!.prefixMatch(in: $0)) != nil }.sorted()
        return Array(all.prefix(limit ?? .max))
    }

    /// A tag's values with the number of series holding each, sorted by value; nil for an
    /// unknown tag.
    public func values(of tag: String, filter: String?, limit: Int?) throws(QueryError) -> [(value: String, count: Int)]? {
        let regex = try Self.regex(filter, name: "filter")
        guard let values = lock.reading({ postings[tag].map { $0.map { ($0.key, $0.value.count) } } }) else { return nil }
        let kept = values.filter { regex == nil || (try? regex!.prefixMatch(in: $0.0)) != nil }.sorted { $0.0 < $1.0 }
        return Array(kept.prefix(limit ?? .max)).map { (value: $0.0, count: $0.1) }
    }

    /// graphite's `auto_complete_tags`: the tags of the series `expressions` find (all tags
    /// with none), without those searched for, starting with `prefix`, the first `limit`.
    public func autoCompleteTags(_ expressions: [String], prefix: String, limit: Int) throws(QueryError) -> [String] {
        guard !expressions.isEmpty else {
            return lock.reading { Array(postings.keys) }.filter { $0.hasPrefix(prefix) }.sorted().prefix(limit).map { $0 }
        }
        var searched = Set<String>()
        for text in expressions { searched.insert(try TagExpression(text).tag) }
        let found = try matching(expressions) { entries in
            Set(entries.flatMap { entry in entry.tags.keys.filter { !searched.contains($0) && $0.hasPrefix(prefix) } })
        }
        return Array(found.sorted().prefix(limit))
    }

    /// graphite's `auto_complete_values`: the values of `tag` among the series `expressions`
    /// find (all with none), starting with `prefix`, the first `limit`.
    public func autoCompleteValues(_ expressions: [String], tag: String, prefix: String, limit: Int) throws(QueryError) -> [String] {
        guard !expressions.isEmpty else {
            return (try values(of: tag, filter: nil, limit: nil) ?? []).map(\.value).filter { $0.hasPrefix(prefix) }.prefix(limit).map { $0 }
        }
        let found = try matching(expressions + [tag + "!="]) { entries in
            Set(entries.compactMap { $0.tags[tag] }.filter { $0.hasPrefix(prefix) })
        }
        return Array(found.sorted().prefix(limit))
    }

    static func regex(_ text: String?, name: String) throws(QueryError) -> Regex<AnyRegexOutput>? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try Regex(text)
        } catch {
            throw .invalidParameter(name: name, value: text, reason: "invalid regular expression: \(error)")
        }
    }
}
