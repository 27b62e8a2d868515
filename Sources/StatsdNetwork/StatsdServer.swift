import Foundation
import Logging
import NIOCore
import NIOPosix
import ServerRuntime
import StatsdCore
import Synchronization

/// Stoker's statsd: UDP readers, TCP line input, the admin interface and the flush schedule.
/// Each flush is handed to `sink` (Stoker's MetricCache) and, when graphiteHost is set, sent
/// upstream as plaintext too.
public final class StatsdServer: Sendable {
    /// Receives every flush, on the flush thread.
    public typealias Sink = @Sendable (StatsdFlushOutput) -> Void

    public let settings: StatsdServerSettings
    let logger: Logger
    let sink: Sink
    let state: Mutex<StatsdState>
    let readers: Mutex<[UDPReader]>
    let tcpTable: LockedTable
    let forwarder: UpstreamForwarder?
    /// DogStatsD events to graphite-web, when GRAPHITE_URL is set.
    let eventPoster: EventPoster?
    let group: MultiThreadedEventLoopGroup
    private let channels = Mutex<[Channel]>([])
    private let stopping = Atomic<Bool>(false)
    private let flushWake = DispatchSemaphore(value: 0)
    /// The reader threads, then the flush thread, once started.
    private let threads = Mutex<(readers: [WorkerThread], flush: WorkerThread?)>(([], nil))
    private let flushCount = Atomic<Int>(0)
    /// The timestamp the last completed flush gave its datapoints (0 before the first).
    private let lastFlushStamp = Atomic<Int>(0)
    /// statsd's own counters summed over every flush.
    public let totals = StatsdTotals()

    public init(settings: StatsdServerSettings, logger: Logger, sink: @escaping Sink) {
        self.settings = settings
        self.logger = logger
        self.sink = sink
        let now = Int(wallClockSeconds())
        state = Mutex(StatsdState(settings: settings.statsd, startupTime: now))
        readers = Mutex([])
        tcpTable = LockedTable(maxKeys: settings.statsd.maxKeysPerInterval)
        forwarder = settings.graphiteHost.map {
            UpstreamForwarder(host: $0, port: settings.graphitePort, capacity: settings.forwardBufferFlushes, logger: logger)
        }
        eventPoster = settings.events.map {
            EventPoster(endpoint: $0, capacity: StatsdServer.eventQueueCapacity, logger: logger)
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Events waiting for graphite-web at most; older ones are dropped (counted) beyond it.
    static let eventQueueCapacity = 10_000

    /// Where each listener ended up.
    public struct Bound: Sendable {
        public var name: String
        public var port: Int
        /// A Unix socket's path (its `port` is 0).
        public var path: String?
    }

    /// Opens the sockets, starts the reader threads, the TCP and admin servers and the flushes.
    public func start() async throws -> [Bound] {
        restoreState()
        var bound: [Bound] = []
        var port = settings.port
        var udp: [UDPReader] = []
        for index in 0..<settings.readerThreads {
            let opened = try UDPSocket.open(address: settings.address, port: port, ipv6: settings.addressIPv6,
                                            receiveBuffer: settings.receiveBuffer)
            port = opened.port
            if index == 0 {
                bound.append(Bound(name: "statsd-udp", port: port))
                logger.info("event=statsd_receive_buffer requested=\(settings.receiveBuffer) effective=\(opened.receiveBuffer)")
            }
            udp.append(UDPReader(socket: opened.fd, settings: settings, logger: logger))
        }
        if let path = settings.unixSocket {
            let fd = try UnixDatagramSocket.open(path: path, mode: settings.unixSocketMode, receiveBuffer: settings.receiveBuffer)
            udp.append(UDPReader(socket: fd, settings: settings, logger: logger))
            bound.append(Bound(name: "statsd-unix", port: 0, path: path))
        }
        readers.withLock { $0 = udp }
        let readerThreads = udp.enumerated().map { index, reader in
            WorkerThread.start(name: index < settings.readerThreads ? "stoker-statsd-udp-\(index)" : "stoker-statsd-unix") {
                reader.run()
            }
        }
        threads.withLock { $0.readers = readerThreads }
        if settings.tcpPort != 0 {
            let statsd = settings.statsd
            bound.append(try await listen("statsd-tcp", host: settings.tcpAddress, port: settings.tcpPort) { [tcpTable] pipeline in
                try pipeline.addHandler(TCPLineHandler(table: tcpTable, settings: statsd))
            })
        }
        if settings.managementPort != 0 {
            bound.append(try await listen("statsd-admin", host: settings.managementAddress, port: settings.managementPort) { [self] pipeline in
                try pipeline.addHandler(AdminHandler(server: self))
            })
        }
        state.withLock { state in
            state.extraConfig = [("port", "\(port)"), ("mgmt_port", "\(settings.managementPort)"),
                                 ("tcp_port", "\(settings.tcpPort)"), ("reader_threads", "\(settings.readerThreads)")]
        }
        forwarder?.start()
        eventPoster?.start()
        let flushThread = WorkerThread.start(name: "stoker-statsd-flush") { [self] in runFlushes() }
        threads.withLock { $0.flush = flushThread }
        return bound
    }

    private func listen(_ name: String, host: String, port: Int,
                        handlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) async throws -> Bound {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try handlers(channel.pipeline.syncOperations) }
            }
            .bind(host: host, port: port).get()
        channels.withLock { $0.append(channel) }
        return Bound(name: name, port: channel.localAddress?.port ?? port)
    }

    /// Flushes every flushInterval, aligned to the start time, until stopped; then once more.
    private func runFlushes() {
        var schedule = FlushSchedule(interval: Double(settings.statsd.flushInterval) / 1000, start: wallClockSeconds())
        while !stopping.load(ordering: .relaxed) {
            let wait = schedule.wait(at: wallClockSeconds())
            if wait > 0 && flushWake.wait(timeout: .now() + wait) == .success { continue }
            if stopping.load(ordering: .relaxed) { break }
            flush()
            schedule.flushed(at: wallClockSeconds())
        }
    }

    /// Takes every reader's interval into the state. The caller holds the state.
    private func absorbReaders(into state: inout StatsdState) {
        for reader in readers.withLock({ $0 }) {
            reader.table.withLock { state.absorb(&$0) }
        }
        tcpTable.withLock { state.absorb(&$0) }
    }

    /// One flush now: absorb, compute, hand on. The `final` flush at shutdown is stamped no
    /// earlier than one interval after the previous flush: stamped "now", a stop within the
    /// previous flush's whisper slot would overwrite that full interval with a partial one.
    @discardableResult
    public func flush(final: Bool = false) -> StatsdFlushOutput {
        let began = wallClockSeconds()
        var badLines = 0
        var samples: [BadLineSample] = []
        var events: [StatsdEvent] = []
        let prepared = state.withLock { state -> PreparedFlush in
            let before = state.badLinesSeenTotal
            absorbReaders(into: &state)
            events = state.table.takeEvents()
            if let counts = eventPoster?.takeCounts() {
                state.table.addInternal(.eventsPosted, counts.posted)
                state.table.addInternal(.eventsDropped, counts.dropped)
            }
            samples = state.table.badLineSamples
            var timestamp = Int(began.rounded())
            if final, let previous = state.previousFlushTimestamp {
                timestamp = max(timestamp, previous + Int(settings.statsd.flushIntervalSeconds.rounded(.up)))
            }
            let prepared = state.prepareFlush(timestamp: timestamp)
            badLines = state.badLinesSeenTotal - before
            return prepared
        }
        // The maths run without the state's lock: an admin command waits only for the
        // snapshot above, never for the percentiles.
        let output = prepared.compute()
        totals.add(prepared.internalCounts)
        logBadLines(badLines, samples: samples)
        sink(output)
        eventPoster?.enqueue(events)
        let payload = forwarder == nil ? "" : output.plaintext()
        forwarder?.enqueue(payload)
        let finished = wallClockSeconds()
        state.withLock { state in
            state.graphiteStatus = GraphiteStatus(lastException: state.graphiteStatus.lastException,
                                                  lastFlush: finished.rounded(.down),
                                                  flushTime: ((finished - began) * 1000).rounded(),
                                                  flushLength: Double(payload.utf8.count))
        }
        lastFlushStamp.store(output.timestamp, ordering: .relaxed)
        flushCount.add(1, ordering: .relaxed)
        totals.addFlush(seconds: finished - began)
        return output
    }

    /// The interval's bad lines: one line with the count, then the first few with their reason
    /// (at most one burst per flush interval, however much garbage arrives).
    private func logBadLines(_ count: Int, samples: [BadLineSample]) {
        guard count > 0 else { return }
        logger.warning("event=statsd_bad_lines count=\(count) shown=\(min(samples.count, Self.badLinesLogged))")
        for sample in samples.prefix(Self.badLinesLogged) {
            logger.warning("event=statsd_bad_line reason=\(sample.reason.rawValue) line=\(String(sample.line.prefix(200)).debugDescription)")
        }
    }

    static let badLinesLogged = 3

    /// Gauges and sets from the previous run (statsd_state_file), before any packet.
    private func restoreState() {
        guard let path = settings.stateFile else { return }
        do {
            guard let snapshot = try StatePersistence(path: path).load() else { return }
            state.withLock { StatePersistence.restore(snapshot, into: &$0.table) }
            logger.info("event=statsd_state_restored gauges=\(snapshot.gauges.count) sets=\(snapshot.sets.count) file=\(path)")
        } catch {
            logger.error("event=statsd_state_unreadable file=\(path) error=\"\(error)\" state=fresh")
        }
    }

    private func saveState() {
        guard let path = settings.stateFile else { return }
        do {
            try state.withLock { try StatePersistence(path: path).save($0.table) }
        } catch {
            logger.error("event=statsd_state_not_saved file=\(path) error=\"\(error)\"")
        }
    }

    /// Flushes completed since start.
    public var flushes: Int { flushCount.load(ordering: .relaxed) }

    /// The timestamp (Unix seconds) the last completed flush gave its datapoints, when its
    /// interval's points were handed on; 0 before the first flush.
    public var lastFlushTimestamp: Int { lastFlushStamp.load(ordering: .relaxed) }

    /// Answers an admin chunk with live data (readers absorbed first).
    public func respondToAdmin(_ chunk: String) -> AdminResponse {
        state.withLock { state in
            absorbReaders(into: &state)
            return AdminCommands.respond(toChunk: chunk, state: &state, now: Int(wallClockSeconds()))
        }
    }

    /// Read access to the live state (the manhole's view).
    public func withState<T>(_ body: (inout StatsdState) -> T) -> T {
        state.withLock { state in
            absorbReaders(into: &state)
            return body(&state)
        }
    }

    /// Graceful stop: readers and listeners stop, then one final flush reaches the sink (and
    /// the upstream copy gets up to `forwardTimeout` seconds to be delivered).
    public func stop(forwardTimeout: Double = 5) async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        let udp = readers.withLock { $0 }
        let (readerThreads, flushThread) = threads.withLock { $0 }
        for reader in udp { reader.stop() }
        for thread in readerThreads { await thread.join() }
        for reader in udp { close(reader.socket) }
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
        flushWake.signal()
        await flushThread?.join()
        // The last flush, the state file and the deliveries' last attempts block: on a thread of
        // their own, never on the concurrency pool.
        await WorkerThread.run(name: "stoker-statsd-stop") { [self] in
            flush(final: true)
            saveState()
            forwarder?.stop(timeout: forwardTimeout)
            eventPoster?.stop(timeout: forwardTimeout)
        }
        if let path = settings.unixSocket { unlink(path) }
        try? await group.shutdownGracefully()
        logger.info("event=statsd_stopped flushes=\(flushes)")
    }
}
