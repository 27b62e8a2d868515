import ManholeLanguage
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork

/// carbon's MetricCache as the manhole shows it: `MetricCache['a.b']` (the cached points as
/// (timestamp, value) tuples in time order), `.counts()` or `.counts`, `.size`, `len(...)`,
/// `get_datapoints`, and Stoker's `largest(n)` and `names(pattern)`. Calling it returns itself
/// (carbon 1.1's `MetricCache()`). Reading never creates an entry.
final class MetricCacheObject: ManholeObject {
    let cache: MetricCache

    init(_ cache: MetricCache) {
        self.cache = cache
    }

    var typeName: String { "MetricCache" }
    var repr: String { "<MetricCache: \(cache.queues) metrics, \(cache.size) datapoints>" }
    var doc: String {
        "MetricCache: the points received and not yet written. MetricCache['name'] lists a metric's points, "
            + ".counts() (metric, points) per metric, .size the points cached, len(MetricCache) the metrics, "
            + ".largest(n=10) the longest queues, .names('glob') the cached names, .get_datapoints('name')."
    }
    var attributeNames: [String] { ["counts", "get_datapoints", "is_full", "largest", "names", "overflow", "size"] }

    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        switch name {
        case "counts":
            let counts = cache.counts().sorted { $0.metric < $1.metric }
            return .object(CallableValue(.list(counts.map { .tuple([.string($0.metric), .int($0.count)]) })))
        case "size": return .int(cache.size)
        case "is_full", "isFull": return .bool(cache.isFull)
        case "overflow": return .int(cache.overflowCount)
        case "get_datapoints":
            return .object(FunctionObject("get_datapoints", doc: "get_datapoints(metric): the cached points, [] if none") { [cache] arguments, _ in
                try arguments.check("get_datapoints", ["metric"])
                let metric = try arguments.string("get_datapoints", 0, "metric")
                return Self.points(cache.sortedPoints(of: metric))
            })
        case "largest":
            return .object(FunctionObject("largest", doc: "largest(n=10): the n metrics with the most cached points") { [cache] arguments, _ in
                try arguments.check("largest", ["n"])
                let n = try PythonValue.integer(truncating: min(max(try arguments.number("largest", 0, "n") ?? 10, 0), 1e9))
                let top = cache.counts().sorted { ($0.count, $1.metric) > ($1.count, $0.metric) }.prefix(max(0, n))
                return .list(top.map { .tuple([.string($0.metric), .int($0.count)]) })
            })
        case "names":
            return .object(FunctionObject("names", doc: "names(pattern='*'): cached metric names matching a glob, sorted") { [cache] arguments, _ in
                try arguments.check("names", ["pattern"])
                let glob = MetricGlob(try arguments.string("names", 0, "pattern", default: "*"))
                let names = glob.literalName.map { cache.points(of: $0).isEmpty ? [] : [$0] }
                    ?? cache.metricNames().filter(glob.matches)
                return .list(names.sorted().map(PythonValue.string))
            })
        default:
            throw PythonError.attribute(typeName, name)
        }
    }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try arguments.check("MetricCache", [])
        return .object(self)
    }

    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        guard case let .string(metric) = key else { throw PythonError.key(key) }
        let points = cache.sortedPoints(of: metric)
        guard !points.isEmpty else { throw PythonError.key(key) }
        return Self.points(points)
    }

    func length() throws -> Int { cache.queues }

    static func points(_ points: [CachedPoint]) -> PythonValue {
        .list(points.map { .tuple([.float($0.timestamp), .float($0.value)]) })
    }
}
