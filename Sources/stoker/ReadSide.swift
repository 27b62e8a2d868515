import CarbonCache
import CarbonConfig
import CarbonNetwork
import Foundation
import Logging
import Pickle
import NIOCore
import ReadCore
import ReadServer
import ServerRuntime
import StatsdNetwork
import Synchronization

/// The read half wired to the carbon half: the name tree (filled by a walk of the data
/// directory at start and kept current by the writers' file events), the read API over the
/// files and the cache, the tagged series (persisted beside the data), and the `[api]` HTTP
/// listener with health, metrics and the status page.
final class ReadSide: Sendable {
    let server: APIServer
    let tree: MetricNameTree
    let tags: TagIndex
    let state: ServingState
    let carbon: CarbonService
    let logger: Logger
    let stopped = Atomic<Bool>(false)

    init(settings: APISettings, carbon: CarbonService, statsd: StatsdServer?, state: ServingState, logger: Logger) {
        let tree = MetricNameTree()
        let writer = carbon.writer
        let cache = carbon.cache
        let hashTaggedNames = carbon.settings.tagHashFilenames
        let tags = TagIndex(log: TagIndexLog(path: (carbon.settings.storageDirectory as NSString).appendingPathComponent("tagged-series.log")))
        writer.observeFiles { metric, event in
            // A write is no news: its file was reported created or opened before.
            if event == .updated { return }
            if metric.utf8.contains(UInt8(ascii: ";")) { tags.add(metric) }
            // Every file was in the tree from the start-up walk or a create report.
            if event == .opened { return }
            guard let path = try? MetricPath.relativePath(for: metric, hashTaggedNames: hashTaggedNames) else { return }
            let dotted = Array(path.dropLast(4).utf8).map { $0 == UInt8(ascii: "/") ? UInt8(ascii: ".") : $0 }
            tree.note(dotted, as: event == .created ? .leafOnDisk : .leafInCache)
        }
        let store = MetricStore(
            filePath: { try writer.filePath(of: $0) },
            cachedPoints: { cache.points(of: MetricName.normalize($0)) },
            newFileLayout: { writer.newFileLayout(of: $0) })
        let api = ReadAPI(tree: tree, tags: tags, store: store, limits: settings.limits)
        let metrics = SelfMetrics(carbon: carbon, statsd: statsd, reads: api)
        self.server = APIServer(settings: settings, api: api, routes: { path, _ in
            switch path {
            case "/health":
                let (status, text) = state.response
                return .text(status, text)
            case "/metrics":
                return APIResponse(contentType: PrometheusExposition.contentType,
                                   body: Array(PrometheusExposition.render(metrics.samples()).utf8))
            case "/", "/status":
                return APIResponse(contentType: StatusPage.contentType, body: Array(StatusPage.html.utf8))
            case "/status/busiest":
                let busiest = cache.counts().sorted { ($0.count, $1.metric) > ($1.count, $0.metric) }.prefix(10)
                return APIResponse(contentType: "application/json",
                                   body: PythonJSON.encode(.list(busiest.map { [.string($0.metric), .int(Int64($0.count))] })))
            default:
                return nil
            }
        }, logger: logger)
        self.tree = tree
        self.tags = tags
        self.state = state
        self.carbon = carbon
        self.logger = logger
    }

    /// Binds the listener and starts the walk of the data directory on a thread of its own
    /// (queries are answered while it runs, from what it has found so far).
    func start() async throws -> SocketAddress {
        try FileSystem.makeDirectories(carbon.settings.storageDirectory)
        try tags.load()
        logger.info("event=tag_index_loaded series=\(tags.count)")
        let address = try await server.start()
        let root = carbon.settings.localDataDirectory
        WorkerThread.start(name: "stoker-index") { [self] in
            let began = Date()
            let progress = DataDirectoryScan.run(root: root, into: tree, reportEvery: 10_000) { progress in
                logger.info("event=index_progress directories=\(progress.directories) leaves=\(progress.leaves)")
            }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(began))
            logger.info("event=index_built leaves=\(tree.leafCount) directories=\(progress.directories) unreadable=\(progress.unreadable) seconds=\(seconds) bytes=\(tree.memoryBytes)")
            // The writers' file events wait in a queue for the next query; applied at least
            // every second so the queue stays short when nobody asks.
            while !stopped.load(ordering: .relaxed) {
                sleepSeconds(1)
                tree.applyPending()
            }
        }
        return address
    }

    func stop() async {
        stopped.store(true, ordering: .relaxed)
        await server.stop()
    }
}
