import CarbonConfig
import Foundation
import Pickle

/// graphite-web's `/metrics/find/` (metrics/views.py `find_view`, docs/reads.md §4), answered
/// from the name tree: formats treejson (its default), pickle, msgpack, json and completer.
/// `local`, `from` and `until` are accepted and, as graphite-web's own finder does, do not
/// narrow the answer.
struct FindView {
    let tree: MetricNameTree
    let store: MetricStore
    let limits: APILimits
    let now: Double

    func answer(_ parameters: QueryParameters, deadline: Deadline) throws(QueryError) -> APIResponse {
        let format = parameters["format"] ?? "treejson"
        guard ["treejson", "pickle", "msgpack", "json", "completer"].contains(format) else {
            return .text(400, "Invalid value for 'format' parameter")
        }
        guard var query = parameters["query"] else { throw .missingParameter("query") }
        guard !query.isEmpty else { throw .invalidParameter(name: "query", value: query, reason: "it is empty") }
        let leavesOnly = try integer(parameters, "leavesOnly") != 0
        let wildcards = try integer(parameters, "wildcards") != 0
        for name in ["from", "until"] {
            if let value = parameters[name], value != "-1" { _ = try GraphiteTime.parse(value, name: name, now: Int(now)) }
        }
        let basePath = query.contains(".") ? String(query[..<query.lastIndex(of: ".")!]) + "." : ""
        if format == "completer" {
            query = query.replacingOccurrences(of: "..", with: "*.")
            if !query.hasSuffix("*") { query += "*" }
        }
        var matches = try find(query, deadline: deadline)
        if leavesOnly { matches.removeAll { !$0.isLeaf } }

        switch format {
        case "pickle":
            return APIResponse(contentType: "application/pickle", body: try pickle(.list(nodes(matches, tuples: true))),
                               headers: Self.noCache)
        case "msgpack":
            return APIResponse(contentType: "application/x-msgpack", body: MessagePack.encode(.list(nodes(matches, tuples: true))),
                               headers: Self.noCache)
        case "json":
            return json(.list(nodes(matches.sorted(by: FindMatch.byPath), tuples: false)))
        case "completer":
            var results: [PickleValue] = Self.sortedByName(matches).map { match in
                ["path": .string(match.path + (match.isLeaf ? "" : ".")), "name": .string(Self.name(match.path)),
                 "is_leaf": .string(match.isLeaf ? "1" : "0")]
            }
            if results.count > 1 && wildcards { results.append(["name": "*"]) }
            return json(["metrics": .list(results)])
        default:
            return json(.list(treeJSON(Self.sortedByName(Self.firstOfEachName(matches)), basePath: basePath, wildcards: wildcards)))
        }
    }

    /// The tree's matches; a tagged name (`name;tag=value`) is looked up as its file, as
    /// graphite-web's standard finder does.
    func find(_ query: String, deadline: Deadline) throws(QueryError) -> [FindMatch] {
        if query.contains(";") && !query.hasPrefix("_tagged.") {
            return store.hasFile(query) ? [FindMatch(path: query, isLeaf: true, onDisk: true)] : []
        }
        let pattern: PathPattern
        do { pattern = try PathPattern(query, variantLimit: limits.maxBraceVariants) } catch { throw QueryError(error) }
        return try tree.find(pattern, limit: limits.maxSeriesPerRequest, deadline: deadline)
    }

    /// graphite-web's node dicts: `path`, `is_leaf`, and a leaf's `intervals`.
    func nodes(_ matches: [FindMatch], tuples: Bool) -> [PickleValue] {
        matches.map { match in
            var node: [(key: PickleValue, value: PickleValue)] = [("path", .string(match.path)), ("is_leaf", .bool(match.isLeaf))]
            if match.isLeaf {
                var intervals: [PickleValue] = []
                if let interval = store.interval(match.path, onDisk: match.onDisk, now: now) {
                    intervals.append(tuples ? .tuple([.float(interval.start), .float(interval.end)])
                                            : ["start": .float(interval.start), "end": .float(interval.end)])
                }
                node.append(("intervals", .list(intervals)))
            }
            return .dict(node)
        }
    }

    /// graphite-web's `tree_json`: one entry per distinct name, branches before leaves.
    func treeJSON(_ matches: [FindMatch], basePath: String, wildcards: Bool) -> [PickleValue] {
        var results: [PickleValue] = []
        if matches.count > 1 && wildcards {
            let anyBranch = matches.contains { !$0.isLeaf }
            results.append(.dict([("text", "*"), ("id", .string(basePath + "*"))] + Self.nodeFlags(leaf: !anyBranch)))
        }
        var seen = Set<String>()
        var branches: [PickleValue] = [], leaves: [PickleValue] = []
        for match in matches {
            let name = Self.name(match.path)
            guard seen.insert(name).inserted else { continue }
            let node = PickleValue.dict([("text", .string(Self.unquotePlus(name))), ("id", .string(basePath + name))]
                                        + Self.nodeFlags(leaf: match.isLeaf))
            if match.isLeaf { leaves.append(node) } else { branches.append(node) }
        }
        return results + branches + leaves
    }

    static func nodeFlags(leaf: Bool) -> [(key: PickleValue, value: PickleValue)] {
        [("allowChildren", .int(leaf ? 0 : 1)), ("expandable", .int(leaf ? 0 : 1)), ("leaf", .int(leaf ? 1 : 0))]
    }

    static func name(_ path: String) -> String {
        String(name(Substring(path)))
    }

    static func name(_ path: Substring) -> Substring {
        path.lastIndex(of: ".").map { path[path.index(after: $0)...] } ?? path
    }

    /// graphite-web sorts matches by their last component (stably, after a shuffle); here ties
    /// go by path, so the answer does not change from one request to the next.
    static func sortedByName(_ matches: [FindMatch]) -> [FindMatch] {
        matches.map { (name: Array(name($0.path).utf8), match: $0) }
            .sorted { $0.name != $1.name ? $0.name.lexicographicallyPrecedes($1.name) : FindMatch.byPath($0.match, $1.match) }
            .map(\.match)
    }

    /// treejson keeps one node per name: the first by path (a branch before a leaf of the same
    /// path). Picked before sorting, so a query matching a million leaves of a thousand
    /// names sorts a thousand.
    static func firstOfEachName(_ matches: [FindMatch]) -> [FindMatch] {
        var first: [Substring: FindMatch] = [:]
        for match in matches {
            let key = name(Substring(match.path))
            if let kept = first[key], !FindMatch.byPath(match, kept) { continue }
            first[key] = match
        }
        return Array(first.values)
    }

    static func unquotePlus(_ text: String) -> String {
        QueryParameters.decode(Array(text.utf8))
    }

    static let noCache = [("Pragma", "no-cache"), ("Cache-Control", "no-cache")]

    func json(_ value: PickleValue) -> APIResponse {
        APIResponse(contentType: "application/json", body: PythonJSON.encode(value), headers: Self.noCache)
    }

    func integer(_ parameters: QueryParameters, _ name: String) throws(QueryError) -> Int {
        guard let text = parameters[name] else { return 0 }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidParameter(name: name, value: text, reason: "expected an integer")
        }
        return value
    }
}

func pickle(_ value: PickleValue) throws(QueryError) -> [UInt8] {
    do {
        return try PickleEncoder().encode(value)
    } catch {
        throw .invalidParameter(name: "format", value: "pickle", reason: "the answer is too deeply nested to pickle")
    }
}
