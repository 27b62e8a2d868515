import Foundation
import Pickle

/// graphite-web's `/render/` as a cluster member answers it (render/views.py with `local=1`,
/// docs/reads.md §4): each target is a path expression; every leaf it matches is fetched from
/// its file and merged with the cache; the answer is data (pickle, msgpack or json). Functions
/// stay graphite-web's: a target that calls one is refused, since the front graphite-web
/// evaluates functions and sends Stoker only the paths inside them; `seriesByTag(...)` is the
/// one call answered here, from the tag index, as graphite-web's own store does.
struct RenderView {
    let tree: MetricNameTree
    let tags: TagIndex
    let store: MetricStore
    let limits: APILimits
    let now: Double

    struct Series {
        var name: String
        var pathExpression: String
        var data: MetricStore.Series
    }

    func answer(_ parameters: QueryParameters, deadline: Deadline) throws(QueryError) -> APIResponse {
        var targets = parameters.all("target")
        if targets.isEmpty { targets = parameters.all("target[]") }
        var format = parameters.contains("pickle") ? "pickle" : nil
        if parameters.contains("rawData") { format = "raw" }
        if let given = parameters["format"] { format = given }
        guard let format, ["pickle", "msgpack", "json"].contains(format) else {
            return .text(400, "Stoker answers /render/ with data only: format=pickle, msgpack or json (graphite-web draws the graphs)")
        }
        for target in targets where Self.callsFunction(target) && !target.hasPrefix("seriesByTag(") {
            throw .invalidParameter(name: "target", value: target,
                                    reason: "Stoker evaluates no functions: graphite-web sends it path expressions")
        }
        let (start, end, requestNow) = try timeRange(parameters)
        let xFilesFactor = try number(parameters, "xFilesFactor") ?? 0
        let series = try fetch(targets, from: start, until: end, now: requestNow, deadline: deadline)

        switch format {
        case "json":
            return APIResponse(contentType: "application/json", body: json(series, noNullPoints: parameters.contains("noNullPoints")))
        case "msgpack":
            return APIResponse(contentType: "application/x-msgpack", body: MessagePack.encode(.list(series.map { info($0, xFilesFactor) })))
        default:
            return APIResponse(contentType: "application/pickle", body: try pickle(.list(series.map { info($0, xFilesFactor) })))
        }
    }

    /// `from` (default -1d), `until` and `now` (default: the clock), ordered as graphite-web
    /// orders them; an empty range is refused as graphite-web refuses it.
    func timeRange(_ parameters: QueryParameters) throws(QueryError) -> (Int, Int, Int) {
        let clock = Int(now.rounded(.down))
        let requestNow = try parameters["now"].map { v throws(QueryError) in try GraphiteTime.parse(v, name: "now", now: clock) } ?? clock
        let until = try parameters["until"].map { v throws(QueryError) in try GraphiteTime.parse(v, name: "until", now: requestNow) } ?? requestNow
        let from = try parameters["from"].map { v throws(QueryError) in try GraphiteTime.parse(v, name: "from", now: requestNow) } ?? requestNow - 86400
        let start = min(from, until), end = max(from, until)
        guard start != end else {
            throw .invalidParameter(name: "from", value: parameters["from"] ?? "", reason: "Invalid empty time range")
        }
        return (start, end, requestNow)
    }

    /// Every leaf of every target, fetched; per target in name order (graphite-web's
    /// `fetchData` sorts by name).
    func fetch(_ targets: [String], from: Int, until: Int, now: Int, deadline: Deadline) throws(QueryError) -> [Series] {
        var all: [Series] = []
        var budget = limits.maxSeriesPerRequest
        let finder = FindView(tree: tree, store: store, limits: limits, now: self.now)
        for target in targets {
            var found: [FindMatch]
            if let expressions = try SeriesByTag.expressions(target) {
                found = try tags.find(expressions).map { FindMatch(path: $0, isLeaf: true, onDisk: store.hasFile($0)) }
            } else {
                found = try finder.find(target, deadline: deadline).filter(\.isLeaf)
            }
            budget -= found.count
            guard budget >= 0 else { throw .tooManySeries(limit: limits.maxSeriesPerRequest) }
            found.sort(by: FindMatch.byPath)
            for (k, leaf) in found.enumerated() {
                if k & 63 == 63, deadline.hasExpired() { throw .timedOut(seconds: deadline.seconds) }
                guard let data = store.fetch(leaf.path, onDisk: leaf.onDisk, from: from, until: until, now: now) else { continue }
                all.append(Series(name: leaf.path, pathExpression: target, data: data))
            }
        }
        return all
    }

    /// `TimeSeries.getInfo()`: what graphite-web's cluster client reads back.
    func info(_ series: Series, _ xFilesFactor: Double) -> PickleValue {
        .dict([
            ("name", .string(series.name)),
            ("start", .int(Int64(series.data.start))),
            ("end", .int(Int64(series.data.end))),
            ("step", .int(Int64(series.data.step))),
            ("values", .list(series.data.values.map { $0.map(PickleValue.float) ?? .none })),
            ("pathExpression", .string(series.pathExpression)),
            ("valuesPerPoint", 1),
            ("consolidationFunc", "average"),
            ("xFilesFactor", .float(xFilesFactor)),
        ])
    }

    /// `renderViewJson`: target, tags, datapoints `[value, timestamp]`; `NaN,` becomes
    /// `null,` and `Infinity,` `1e9999,` after encoding, as graphite-web does.
    func json(_ series: [Series], noNullPoints: Bool) -> [UInt8] {
        var list: [PickleValue] = []
        for s in series {
            var points: [PickleValue] = []
            for (k, value) in s.data.values.enumerated() {
                let timestamp = s.data.start + k * s.data.step
                guard timestamp <= s.data.end else { break }
                if noNullPoints, value == nil || value!.isNaN { continue }
                points.append(.list([value.map(PickleValue.float) ?? .none, .int(Int64(timestamp))]))
            }
            if noNullPoints && points.isEmpty { continue }
            list.append(.dict([("target", .string(s.name)), ("tags", .dict(Self.tags(s.name))), ("datapoints", .list(points))]))
        }
        var text = String(decoding: PythonJSON.encode(.list(list)), as: UTF8.self)
        text = text.replacingOccurrences(of: "NaN,", with: "null,").replacingOccurrences(of: "Infinity,", with: "1e9999,")
        return Array(text.utf8)
    }

    /// graphite's `TaggedSeries.parse` of a series name: `name;tag=value` gives its tags and
    /// `name`, a plain name only `name`.
    static func tags(_ name: String) -> [(key: PickleValue, value: PickleValue)] {
        let segments = name.split(separator: ";", omittingEmptySubsequences: false)
        var tags: [(key: PickleValue, value: PickleValue)] = []
        for segment in segments.dropFirst() {
            let pair = segment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty else { return [("name", .string(name))] }
            set(String(pair[0]), String(pair[1]))
        }
        set("name", String(segments[0]))
        return tags

        // A Python dict: a key set again keeps its first place.
        func set(_ key: String, _ value: String) {
            if let at = tags.firstIndex(where: { $0.key == .string(key) }) { tags[at].value = .string(value) }
            else { tags.append((.string(key), .string(value))) }
        }
    }

    /// `sumSeries(...)`-like: an identifier followed by `(`.
    static func callsFunction(_ target: String) -> Bool {
        guard let open = target.firstIndex(of: "("), open != target.startIndex else { return false }
        return target[..<open].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    func number(_ parameters: QueryParameters, _ name: String) throws(QueryError) -> Double? {
        guard let text = parameters[name] else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw .invalidParameter(name: name, value: text, reason: "expected a number")
        }
        return value
    }
}
