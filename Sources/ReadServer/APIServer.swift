import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ReadCore
import Synchronization

/// The `[api]` HTTP listener (SwiftNIO's HTTP/1.1 codec): reads each request, refuses what is
/// over the limits, and computes the answer on a thread pool of its own, since finds and
/// renders read files. The event loop only parses and writes.
public final class APIServer: Sendable {
    /// Routes the executable adds (health, metrics, the status page): nil = not theirs.
    public typealias Routes = @Sendable (_ path: String, _ parameters: QueryParameters) -> APIResponse?

    public let settings: APISettings
    let api: ReadAPI
    let routes: Routes
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let pool: NIOThreadPool
    let running = Atomic<Int>(0)
    private let channel = Mutex<Channel?>(nil)

    public init(settings: APISettings, api: ReadAPI, routes: @escaping Routes, logger: Logger, computeThreads: Int = 2) {
        self.settings = settings
        self.api = api
        self.routes = routes
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pool = NIOThreadPool(numberOfThreads: computeThreads)
    }

    /// Binds and serves; returns the bound address.
    public func start() async throws -> SocketAddress {
        pool.start()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(RequestHandler(server: self))
                }
            }
        let bound = try await bootstrap.bind(host: settings.interface, port: settings.port).get()
        channel.withLock { $0 = bound }
        return bound.localAddress!
    }

    public func stop() async {
        let bound = channel.withLock { current -> Channel? in
            defer { current = nil }
            return current
        }
        try? await bound?.close()
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    /// Reads run at nice 19: on a busy machine the receivers and writers, whose data would
    /// otherwise wait or be dropped, get the CPU first. Set on the pool's thread before each
    /// answer (one system call; the pool's threads do nothing else).
    static func yieldToIngest() {
        // Linux keeps the nice value per thread; who = 0 is the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
    }

    /// Computes an answer off the event loop; nil when `max_concurrent_requests` are running.
    func compute(method: String, path: String, parameters: QueryParameters, on eventLoop: EventLoop) -> EventLoopFuture<APIResponse>? {
        let limit = settings.limits.maxConcurrentRequests
        guard running.add(1, ordering: .relaxed).newValue <= limit else {
            running.subtract(1, ordering: .relaxed)
            api.statistics.overloaded.add(1, ordering: .relaxed)
            return nil
        }
        let (api, routes) = (self.api, self.routes)
        return pool.runIfActive(eventLoop: eventLoop) { [self] in
            defer { running.subtract(1, ordering: .relaxed) }
            Self.yieldToIngest()
            return api.answer(method: method, path: path, parameters: parameters)
                ?? routes(path, parameters)
                ?? .text(404, "not found: \(path)")
        }
    }
}
