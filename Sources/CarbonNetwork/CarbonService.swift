import CarbonCache
import CarbonConfig
import CarbonWriter
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServerRuntime
import Synchronization

/// Stoker's carbon half assembled: the cache, the writer threads, the receivers and
/// carbonlink on SwiftNIO, and self-instrumentation. `stoker serve` owns one.
public final class CarbonService: Sendable {
    public let settings: CarbonSettings
    public let instance: String
    public let cache: MetricCache
    public let writer: CacheWriter
    public let intake: MetricIntake
    /// WAL_DIR's log of accepted points, if configured.
    public let writeAheadLog: WriteAheadLog?
    public let receiverStatistics: ReceiverStatistics
    public let instrumentation: CarbonInstrumentation
    /// New series posted to graphite-web's tag database (ENABLE_TAGS with GRAPHITE_URL).
    public let tagPoster: TagPoster?
    /// quotas.conf's rules and counts, shared by the receivers and the writers.
    public let quotas: QuotaLedger
    /// The cache's memory ceiling in bytes (nil: none) and how it was chosen.
    public let memoryCeiling: (bytes: Int?, reason: String)
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let connections: ConnectionLimiter
    private let listeners = Mutex<[Channel]>([])
    private let instrumentationTask = Mutex<RepeatedTask?>(nil)
    private let quotaPruneTask = Mutex<RepeatedTask?>(nil)

    public init(settings: CarbonSettings, instance: String = "a", layout: StorageLayout, filters: MetricFilters?,
                quotas quotaRules: QuotaRules = .none, memoryLimits: MemoryLimits = .current(), logger: Logger,
                eventLoopThreads: Int = System.coreCount) {
        self.settings = settings
        quotas = QuotaLedger(rules: quotaRules)
        self.instance = instance
        self.logger = logger
        let ceiling = settings.maxCacheMemory.resolve(limits: memoryLimits, maxCacheSize: settings.maxCacheSize)
        memoryCeiling = ceiling
        cache = MetricCache(limits: .init(maxSize: settings.maxCacheSize, maxBytes: ceiling.bytes, flowControl: settings.useFlowControl),
                            shardCount: settings.cacheShards)
        receiverStatistics = ReceiverStatistics()
        writer = CacheWriter(cache: cache, settings: settings.writerSettings, layout: layout, logger: logger, quotas: quotas)
        writeAheadLog = settings.writeAheadLogDirectory.map {
            WriteAheadLog(directory: $0, fsyncInterval: settings.writeAheadLogFsyncInterval, logger: logger)
        }
        intake = MetricIntake(cache: cache, statistics: receiverStatistics, timestampResolution: settings.minTimestampResolution,
                              filters: settings.useWhitelist ? (filters ?? .allowAll) : nil, logger: logger,
                              writeAheadLog: writeAheadLog, quotas: quotas)
        instrumentation = CarbonInstrumentation(metricPrefix: settings.carbonMetricPrefix, instance: instance, cache: cache,
                                                writer: writer.statistics, receivers: receiverStatistics, quotas: quotas)
        connections = ConnectionLimiter(maximum: settings.maxReceiverConnections, statistics: receiverStatistics)
        tagPoster = settings.enableTags ? settings.graphiteURL.map {
            TagPoster(url: $0, batchSize: settings.tagBatchSize, queueSize: settings.tagQueueSize, logger: logger)
        } : nil
        if let tagPoster {
            writer.observeFiles { metric, event in
                switch event {
                case .created: tagPoster.add(metric)
                case .updated: tagPoster.update(metric)
                case .opened, .waitingForCreate: break
                }
            }
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, eventLoopThreads))
    }

    /// What is listening where, once started.
    public struct Bound: Sendable {
        public var name: String
        public var address: SocketAddress
    }

    /// Starts the writer, every enabled listener and the self-instrumentation timer.
    public func start() async throws -> [Bound] {
        // What a crash left in the log goes back into the cache before anything new arrives.
        if let writeAheadLog {
            try writeAheadLog.replay(into: cache)
            writeAheadLog.start(writer: writer)
        }
        logger.info("event=cache_memory_ceiling bytes=\(memoryCeiling.bytes.map(String.init) ?? "none") reason=\(quoted(memoryCeiling.reason))")
        writer.start()
        tagPoster?.start()
        countExistingSeries()
        let prune = group.next().scheduleRepeatedTask(initialDelay: .seconds(60), delay: .seconds(60)) { [quotas] _ in
            quotas.prune(now: monotonicSeconds())
        }
        quotaPruneTask.withLock { $0 = prune }
        var bound: [Bound] = []
        let s = settings
        if s.lineReceiver.isEnabled {
            let flowControl = s.useFlowControl && cache.limits.isBounded ? FlowControl(cache: cache) : nil
            bound.append(try await listenTCP("plaintext", s.lineReceiver) { [intake] pipeline in
                try pipeline.addHandler(LineReceiverHandler(intake: intake, maxLineLength: s.lineMaxLength, flowControl: flowControl))
            })
        }
        if s.pickleReceiver.isEnabled {
            let flowControl = s.useFlowControl && cache.limits.isBounded ? FlowControl(cache: cache) : nil
            bound.append(try await listenTCP("pickle", s.pickleReceiver) { [intake] pipeline in
                try pipeline.addHandler(PickleReceiverHandler(intake: intake, maxLength: s.pickleMaxLength, flowControl: flowControl))
            })
        }
        if s.cacheQuery.isEnabled {
            let responder = CarbonlinkResponder(cache: cache, writer: writer, statistics: receiverStatistics,
                                                integerTimestamps: s.minTimestampResolution > 0)
            let log = intake.log
            bound.append(try await listenTCP("carbonlink", s.cacheQuery, receiving: false) { pipeline in
                try pipeline.addHandler(CarbonlinkHandler(responder: responder, log: log))
            })
        }
        if s.enableUDPListener && s.udpReceiver.isEnabled {
            bound.append(try await listenUDP("plaintext-udp", s.udpReceiver))
        }
        let interval = s.carbonMetricInterval
        if interval > 0 {
            let task = group.next().scheduleRepeatedTask(initialDelay: .nanoseconds(Int64(interval * 1e9)),
                                                         delay: .nanoseconds(Int64(interval * 1e9))) { [instrumentation] _ in
                instrumentation.record()
            }
            instrumentationTask.withLock { $0 = task }
        }
        return bound
    }

    func listenTCP(_ name: String, _ endpoint: CarbonSettings.Endpoint, receiving: Bool = true,
                   handlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) async throws -> Bound {
        let idle = settings.metricClientIdleTimeout
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .childChannelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20))
            .childChannelInitializer { [connections] channel in
                return channel.eventLoop.makeCompletedFuture {
                    if receiving && !connections.admit(channel) {
                        // Closed once active: a channel closed inside its initializer may linger.
                        try channel.pipeline.syncOperations.addHandler(RefusedConnectionCloser())
                        return
                    }
                    let pipeline = channel.pipeline.syncOperations
                    if receiving, let idle {
                        try pipeline.addHandler(IdleStateHandler(readTimeout: .nanoseconds(Int64(idle * 1e9))))
                        try pipeline.addHandler(IdleConnectionCloser())
                    }
                    try handlers(pipeline)
                }
            }
        let channel = try await bootstrap.bind(host: endpoint.interface, port: endpoint.port).get()
        listeners.withLock { $0.append(channel) }
        let address = channel.localAddress!
        logger.info("event=listening listener=\(name) address=\(LineReceiverHandler.describe(address))")
        return Bound(name: name, address: address)
    }

    func listenUDP(_ name: String, _ endpoint: CarbonSettings.Endpoint) async throws -> Bound {
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 8 << 20)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 64)
            .channelInitializer { [intake] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramReceiverHandler(intake: intake))
                }
            }
        let channel = try await bootstrap.bind(host: endpoint.interface, port: endpoint.port).get()
        listeners.withLock { $0.append(channel) }
        let address = channel.localAddress!
        logger.info("event=listening listener=\(name) address=\(LineReceiverHandler.describe(address))")
        return Bound(name: name, address: address)
    }

    /// New quotas.conf rules (SIGHUP): every count starts again, the existing files counted anew.
    public func reloadQuotas(_ rules: QuotaRules) {
        quotas.replace(rules: rules)
        countExistingSeries()
    }

    /// When a rule limits series, counts the files already in the data directory on a thread of
    /// its own (about a second per million files); until it ends, new series are measured
    /// against the files counted so far.
    func countExistingSeries() {
        guard quotas.rules.limitsSeries else { return }
        let generation = quotas.generation
        let (root, quotas, logger) = (settings.localDataDirectory, self.quotas, self.logger)
        WorkerThread.start(name: "stoker-quota-count") {
            let began = monotonicSeconds()
            let progress = DataDirectoryWalk.run(root: root) { _, leaves in
                quotas.countExisting(leaves.compactMap { MetricPath.seriesName(ofWalkedLeaf: String(decoding: $0, as: UTF8.self)) },
                                     generation: generation)
            }
            let seconds = String(format: "%.1f", monotonicSeconds() - began)
            logger.info("event=quota_series_counted series=\(progress.leaves) directories=\(progress.directories) seconds=\(seconds)")
        }
    }

    /// Stops accepting and receiving: listeners close, then open connections close after what
    /// they already read has been stored.
    public func stopReceiving() async {
        let channels = listeners.withLock { all -> [Channel] in
            defer { all.removeAll() }
            return all
        }
        for channel in channels { try? await channel.close() }
        for future in connections.closeAll() { try? await future.get() }
    }

    /// The whole shutdown: stop receiving, record the last self-metrics, write every cached
    /// point to disk (telling `drainProgress` every second how it goes), stop the event loops.
    public func shutdown(drainProgress: @escaping @Sendable (CacheWriter.DrainProgress) -> Void = { _ in }) async {
        await stopReceiving()
        instrumentationTask.withLock { $0?.cancel() }
        quotaPruneTask.withLock { $0?.cancel() }
        let (writer, writeAheadLog, tagPoster, cache) = (self.writer, self.writeAheadLog, self.tagPoster, self.cache)
        // The drain and the threads' stops block; they run on a thread of their own, never on
        // the concurrency pool.
        await WorkerThread.run(name: "stoker-drain") {
            writer.drainAndStop(progress: drainProgress)
            writeAheadLog?.stop(cacheEmpty: cache.size == 0)
            tagPoster?.stop()
        }
        try? await group.shutdownGracefully()
    }
}
