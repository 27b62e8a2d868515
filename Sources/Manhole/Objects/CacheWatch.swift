import ManholeLanguage
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import ServerRuntime

/// `watch('pattern')`: prints points as they enter the cache (`metric value timestamp`, the
/// plaintext protocol's order) until Ctrl-C, the client leaving, or `seconds`. It polls the
/// cache every 100 ms, so a point written to disk within one poll of arriving is not shown.
struct CacheWatch {
    let cache: MetricCache
    let glob: MetricGlob

    /// The points of matching metrics, by metric.
    func snapshot() -> [String: Set<CachedPoint>] {
        let names = glob.literalName.map { [$0] } ?? cache.metricNames().filter(glob.matches)
        var result: [String: Set<CachedPoint>] = [:]
        for name in names {
            let points = cache.points(of: name)
            if !points.isEmpty { result[name] = Set(points) }
        }
        return result
    }

    /// What `current` holds that `seen` did not, as output lines in time order.
    static func newLines(seen: [String: Set<CachedPoint>], current: [String: Set<CachedPoint>]) -> [String] {
        var fresh: [(String, CachedPoint)] = []
        for (name, points) in current {
            let old = seen[name] ?? []
            for point in points where !old.contains(point) { fresh.append((name, point)) }
        }
        fresh.sort { ($0.1.timestamp, $0.0) < ($1.1.timestamp, $1.0) }
        return fresh.map { name, point in
            let time = point.timestamp == point.timestamp.rounded() && abs(point.timestamp) < 1e15
                ? String(Int(point.timestamp)) : PythonValue.repr(point.timestamp)
            return "\(name) \(PythonValue.repr(point.value)) \(time)"
        }
    }

    func run(seconds: Double?, _ run: Invocation) {
        run.write("watching \(PythonValue.repr(glob.pattern)) (Ctrl-C to stop)\n")
        var seen = snapshot()
        let deadline = seconds.map { monotonicSeconds() + $0 }
        while true {
            if run.waitForInterrupt(0.1) { break }
            let current = snapshot()
            let lines = Self.newLines(seen: seen, current: current)
            if !lines.isEmpty { run.write(lines.joined(separator: "\n") + "\n") }
            seen = current
            if let deadline, monotonicSeconds() >= deadline { break }
        }
    }
}
