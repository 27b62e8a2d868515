import CarbonCache
import CarbonConfig
import Dispatch
import Foundation
import Logging
import ServerRuntime
import Synchronization
import Whisper

/// Drains the MetricCache into whisper files on dedicated threads (carbon's writer).
///
/// Each thread owns the cache shards `i, i + threads, ...` and its own file handles, so writers
/// never contend with each other. All queued points of a metric go to disk in one update_many
/// through a cached handle.
///
/// The fate of points, one rule: points stay in the cache until written. A write that fails
/// for a reason that can pass (no space, permissions, I/O error, too many open files) puts the
/// points back and retries after a back-off; a metric whose name cannot be a path, or whose
/// file is corrupt (quarantined until the rules are reloaded), has its points dropped and
/// counted. New metrics beyond MAX_CREATES_PER_MINUTE wait in the cache (counted as
/// deferredCreates) instead of being dropped as carbon does.
public final class CacheWriter: Sendable {
    public let cache: MetricCache
    public let settings: WriterSettings
    public let statistics = WriterStatistics()
    let log: RateLimitedLogger
    let layout: Mutex<StorageLayout>
    let updateBucket: TokenBucket
    let createBucket: TokenBucket
    let stopping = Atomic<Bool>(false)
    /// Bumped by `reloadLayout`; workers clear their quarantine when they see a new value.
    let layoutGeneration = Atomic<Int>(0)
    /// While above 0, writers ignore MAX_UPDATES_PER_SECOND and MAX_CREATES_PER_MINUTE
    /// (an operator's writeCachedDataPoints()).
    let limitsLifted = Atomic<Int>(0)
    /// Metrics whose header was rewritten behind the writers' backs (set-metadata).
    let staleHandles = Mutex<Set<String>>([])
    /// Per writer thread: when its last round that wrote every point it found began
    /// (monotonic seconds; -infinity before the first).
    let cleanRoundStarts = Mutex<[Double]>([])
    /// Told of files created, opened and written, and of new metrics waiting for a create (the
    /// read API's name tree and tag index, carbon's tag posting).
    private let fileObservers = Mutex<[FileObserver]>([])
    /// The writer threads, once started.
    private let threads = Mutex<[WorkerThread]>([])
    /// The clock and sleep the writers pace themselves by (a manual clock in tests).
    let pacing: Pacing
    /// quotas.conf's counts: asked before every create (docs/quotas.md).
    public let quotas: QuotaLedger
    private let started = Atomic<Bool>(false)

    public init(cache: MetricCache, settings: WriterSettings, layout: StorageLayout, logger: Logger, pacing: Pacing = .real,
                quotas: QuotaLedger = QuotaLedger()) {
        self.cache = cache
        self.pacing = pacing
        self.quotas = quotas
        self.settings = settings
        self.layout = Mutex(layout)
        self.log = RateLimitedLogger(logger: logger)
        updateBucket = TokenBucket(capacity: settings.maxUpdatesPerSecond, ratePerSecond: settings.maxUpdatesPerSecond, pacing: pacing)
        createBucket = TokenBucket(capacity: settings.maxCreatesPerMinute, ratePerSecond: settings.maxCreatesPerMinute.map { $0 / 60 },
                                   pacing: pacing)
    }

    /// Starts the writer threads.
    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let count = max(1, min(settings.threads, cache.shardCount))
        let budget = max(1, settings.openFileBudget / count)
        cleanRoundStarts.withLock { $0 = Array(repeating: -.infinity, count: count) }
        let started = (0..<count).map { index in
            let shards = Array(stride(from: index, to: cache.shardCount, by: count))
            return WorkerThread.start(name: "stoker-writer-\(index)") { [self] in
                var worker = WriterWorker(writer: self, shards: shards, openFileBudget: budget)
                worker.index = index
                worker.run()
            }
        }
        threads.withLock { $0 = started }
        startCreateBacklogProgress()
    }

    var threadCount: Int { max(1, min(settings.threads, cache.shardCount)) }

    /// New storage rules (SIGHUP): later creates use them; quarantined metrics are retried.
    public func reloadLayout(_ newLayout: StorageLayout) {
        layout.withLock { $0 = newLayout }
        layoutGeneration.add(1, ordering: .relaxed)
    }

    /// How a shutdown drain is going, reported every second while it runs.
    public struct DrainProgress: Sendable {
        public var pointsLeft: Int
        public var metricsLeft: Int
        public var seconds: Int
        /// Fewer points are left than a second ago: the drain is still making progress.
        public var advanced: Bool
    }

    /// Writes everything in the cache, then stops the threads. The caller must have stopped the
    /// receivers first. MAX_UPDATES_PER_SECOND_ON_SHUTDOWN applies if set; the create limit is
    /// lifted so no waiting metric is lost. Logs progress every 5 s while a long drain runs and
    /// tells `progress` every second.
    public func drainAndStop(progress: (DrainProgress) -> Void = { _ in }) {
        if let rate = settings.maxUpdatesPerSecondOnShutdown { updateBucket.setRate(rate.isFinite ? rate : nil) }
        createBucket.setRate(nil)
        let startSize = cache.size
        log.logger.info("event=drain_start points=\(startSize) metrics=\(cache.queues)")
        stopping.store(true, ordering: .relaxed)
        guard started.load(ordering: .relaxed) else { return }
        let begin = monotonicSeconds()
        var running = threads.withLock { $0 }
        var ticks = 0
        var pointsBefore = startSize
        while let thread = running.first {
            if thread.waitBlocking(timeout: 1) {
                running.removeFirst()
                continue
            }
            ticks += 1
            let seconds = Int(monotonicSeconds() - begin)
            let left = cache.size
            progress(DrainProgress(pointsLeft: left, metricsLeft: cache.queues, seconds: seconds, advanced: left < pointsBefore))
            pointsBefore = left
            if ticks % 5 == 0 {
                log.logger.info("event=drain_progress points_left=\(left) metrics_left=\(cache.queues) seconds=\(seconds)")
            }
        }
        let left = cache.size
        if left > 0 {
            log.logger.error("event=drain_incomplete points_lost=\(left) metrics=\(cache.queues)")
        }
        log.logger.info("event=drain_done points_written=\(startSize - left) seconds=\(String(format: "%.2f", monotonicSeconds() - begin))")
    }
}

extension CacheWriter {
    /// Every point stored in the cache before this moment (monotonic seconds) is on disk: each
    /// writer thread has since begun a round and written every point it found (-infinity while
    /// one has not). What the write-ahead log may forget.
    public var everythingWrittenBefore: Double {
        cleanRoundStarts.withLock { $0.min() ?? -.infinity }
    }

    /// Runs `body` with the update and create limits lifted: what an operator asking for
    /// every cached point to be written now expects (carbon's writeCachedDataPoints()).
    public func withLimitsLifted<T>(_ body: () throws -> T) rethrows -> T {
        limitsLifted.add(1, ordering: .relaxed)
        defer { limitsLifted.subtract(1, ordering: .relaxed) }
        return try body()
    }

    var areLimitsLifted: Bool { limitsLifted.load(ordering: .relaxed) > 0 }

    /// What the writer tells the read side about a metric's file.
    public enum FileEvent: Sendable {
        /// The file was created.
        case created
        /// A new metric's points wait in the cache for a create token (told once per metric).
        case waitingForCreate
        /// An existing file was opened (the first write to it by this process, or after its
        /// handle was let go).
        case opened
        /// The file was written; told for one write in TAG_UPDATE_INTERVAL.
        case updated
    }

    public typealias FileObserver = @Sendable (_ metric: String, _ event: FileEvent) -> Void

    /// Adds an observer of file events, before `start`.
    public func observeFiles(_ observer: @escaping FileObserver) {
        fileObservers.withLock { $0.append(observer) }
    }

    func report(_ metric: String, _ event: FileEvent) {
        for observer in fileObservers.withLock({ $0 }) { observer(metric, event) }
    }

    /// The file path the current rules give a metric.
    public func filePath(of metric: String) throws -> String {
        try layout.withLock { $0 }.path(metric)
    }

    /// The layout a new file of this metric would get under the current rules.
    public func newFileLayout(of metric: String) -> NewFileLayout {
        layout.withLock { $0 }.newFile(metric)
    }

    /// The aggregation method in a metric's file header (carbonlink get-metadata).
    public func aggregationMethod(of metric: String) throws -> AggregationMethod {
        let path = try layout.withLock { $0 }.path(metric)
        return try WhisperFile.open(path: path, writable: false).header.aggregationMethod
    }

    /// Rewrites a metric's aggregation method (carbonlink set-metadata); returns the old one.
    /// Writers drop their cached header of that file before their next write.
    public func setAggregationMethod(of metric: String, to method: AggregationMethod) throws -> AggregationMethod {
        let path = try layout.withLock { $0 }.path(metric)
        let old = try WhisperFile.open(path: path, options: settings.whisperOptions).setAggregationMethod(method)
        staleHandles.withLock { _ = $0.insert(metric) }
        return old
    }
}
