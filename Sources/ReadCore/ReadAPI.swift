import CarbonConfig
import Foundation
import Pickle

/// Graphite's read API as one Stoker answers it (docs/reads.md): graphite-web's cluster
/// protocol (`/metrics/find/`, `/render/`, `/metrics/index.json`) from the name tree, the whisper
/// files and the cache. Pure of sockets: the HTTP listener hands each request's path and
/// parameters here, on a thread where blocking file reads are fine.
public final class ReadAPI: Sendable {
    public let tree: MetricNameTree
    public let tags: TagIndex
    public let store: MetricStore
    public let limits: APILimits
    public let statistics = ReadStatistics()
    let clock: @Sendable () -> Double
    let uptime: @Sendable () -> Double

    public init(tree: MetricNameTree, tags: TagIndex = TagIndex(), store: MetricStore, limits: APILimits,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                uptime: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.tree = tree
        self.tags = tags
        self.store = store
        self.limits = limits
        self.clock = clock
        self.uptime = uptime
    }

    /// The routes this module answers; nil for a path it does not know (the listener adds its
    /// own: health, metrics, the status page). `/metrics` is graphite-web's alias of
    /// `/metrics/find` only with a `query`; without one it is the Prometheus exposition.
    public func answer(method: String = "GET", path: String, parameters: QueryParameters) -> APIResponse? {
        let route = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let deadline = Deadline(seconds: limits.maxRequestSeconds, clock: uptime)
        let now = clock()
        let begun = uptime()
        let answer: APIResponse?
        do {
            switch route {
            case _ where route == "/metrics/find" || (route == "/metrics" && parameters.contains("query")):
                statistics.finds.add(1, ordering: .relaxed)
                answer = try FindView(tree: tree, store: store, limits: limits, now: now).answer(parameters, deadline: deadline)
            case "/render":
                statistics.renders.add(1, ordering: .relaxed)
                answer = try RenderView(tree: tree, tags: tags, store: store, limits: limits, now: now).answer(parameters, deadline: deadline)
            case _ where route == "/tags" || route.hasPrefix("/tags/"):
                answer = TagsView(index: tags).answer(route: route, method: method, parameters)
            case "/metrics/index.json":
                answer = try index(deadline: deadline)
            default:
                return nil
            }
        } catch {
            statistics.refused.add(1, ordering: .relaxed)
            answer = .refused(error)
        }
        statistics.record(seconds: uptime() - begun)
        return answer
    }

    /// Every leaf's path, sorted (graphite-web's `get_index`).
    func index(deadline: Deadline) throws(QueryError) -> APIResponse {
        let pattern: PathPattern
        do { pattern = try PathPattern("**") } catch { throw QueryError(error) }
        let leaves = try tree.find(pattern, limit: .max, deadline: deadline).filter(\.isLeaf).sorted(by: FindMatch.byPath)
            .map { PickleValue.string($0.path) }
        return APIResponse(contentType: "application/json", body: PythonJSON.encode(.list(leaves)))
    }
}
