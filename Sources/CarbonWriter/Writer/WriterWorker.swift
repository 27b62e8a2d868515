import CarbonConfig
import CarbonCache
import Foundation
import Whisper

import Glibc
import ServerRuntime

/// One writer thread's state: its shards, its open files, its quarantine. Never shared.
struct WriterWorker {
    struct Handle {
        var file: WhisperFile
        /// Keeps its descriptor between writes (within the open-file budget).
        var pinned: Bool
        /// Where a released descriptor is reopened from (`directories`).
        var location: FileLocation?
    }

    let writer: CacheWriter
    let shards: [Int]
    /// This thread's place in `writer.cleanRoundStarts`.
    var index = 0
    /// Whether the current round put points back into the cache (a file found missing).
    var restoredInRound = false
    let openFileBudget: Int
    var handles: [String: Handle] = [:]
    /// The memory `handles` holds, as counted into the cache's memory (docs/carbon.md §16).
    var handleBytes = 0
    /// What a kept handle costs beyond its metric's name: its dictionary slot, the file's
    /// path and header, its directory and name (measured: see docs/carbon.md §16).
    static let bytesPerHandle = 512
    var pinnedCount = 0
    var directories: OpenDirectories
    var quarantine: Set<String> = []
    /// New metrics already reported waiting for a create (reported once each).
    var announcedWaiting: Set<String> = []
    var seenGeneration = 0
    /// After a round that wrote nothing because every write failed (a full disk?).
    var backoff = RetryBackoff(initial: 0.1, maximum: 5)
    var lastSweep: Double
    var lastDeletedFilesCheck: Double
    /// Points and updates written in the current round (whether the writer is behind).
    var roundPoints = 0
    var roundUpdates = 0
    /// Writes since the last `.updated` report (TAG_UPDATE_INTERVAL).
    var writesSinceTagUpdate = 0

    init(writer: CacheWriter, shards: [Int], openFileBudget: Int) {
        self.writer = writer
        self.shards = shards
        // An eighth of the descriptors, at most 256, hold directories open.
        let directoryCapacity = min(256, openFileBudget / 8)
        self.directories = OpenDirectories(capacity: directoryCapacity)
        self.openFileBudget = openFileBudget - directoryCapacity
        lastSweep = writer.pacing.now()
        lastDeletedFilesCheck = lastSweep
    }

    private var cache: MetricCache { writer.cache }
    private var stats: WriterStatistics { writer.statistics }
    private var pacing: Pacing { writer.pacing }

    mutating func run() {
        var shutdownFailingSince: Double? = nil
        while true {
            let stopping = writer.stopping.load(ordering: .relaxed)
            forgetAfterReload()
            dropStaleHandles()
            dropDeletedFiles()
            sweepIdleMetrics()
            if !stopping { settle() }
            roundPoints = 0
            roundUpdates = 0
            let strategy = writer.settings.strategy
            let roundStart = pacing.now()
            if cache.isAboveMemoryLowWatermark { dropReleasedHandles() }
            let summaries = cache.summaries(ofShards: shards, includeOldest: strategy == .timesorted)
            if summaries.isEmpty {
                markCleanRound(startedAt: roundStart)
                if stopping { return }
                pacing.sleep(0.05)
                continue
            }
            let order = strategy.order(summaries, now: wallClockSeconds(),
                                       minimumLag: stopping ? 0 : writer.settings.minimumTimestampLag)
            var progressed = 0, failed = 0, waiting = 0
            restoredInRound = false
            for metric in order {
                switch write(metric, stopping: stopping) {
                case .written: progressed += 1
                case .failed: failed += 1
                case .waiting: waiting += 1
                }
            }
            if failed == 0, waiting == 0, !restoredInRound, order.count == summaries.count {
                markCleanRound(startedAt: roundStart)
            }
            if progressed > 0 {
                backoff.succeeded()
                shutdownFailingSince = nil
                continue
            }
            if failed > 0 {
                // Nothing could be written (a full disk?): back off, and on shutdown give up after
                // the configured time rather than hang forever.
                let wait = backoff.failed()
                if stopping {
                    let now = pacing.now()
                    if now - (shutdownFailingSince ?? now) > writer.settings.shutdownRetrySeconds { return }
                    if shutdownFailingSince == nil { shutdownFailingSince = now }
                }
                pacing.sleep(wait)
            } else {
                // Only metrics waiting for a create token, or too young for MIN_TIMESTAMP_LAG.
                pacing.sleep(min(max(writer.createBucket.waitTimeWithoutTaking(), 0.01), 0.5))
            }
        }
    }

    /// Every point this thread's shards held when the round began is on disk (or was given
    /// up on purpose: a bad name, a quarantined file).
    func markCleanRound(startedAt start: Double) {
        writer.cleanRoundStarts.withLock { starts in
            if index < starts.count { starts[index] = start }
        }
    }

    /// Waits, up to `settleSeconds`, while the cache grows by more than 0.2 % (at least 200
    /// points) per 10 ms; it stops after two such quiet ticks in a row (one could be a receiver
    /// thread that was not scheduled). Carbon's writer starts on a metric as soon as its first
    /// point arrives, so a burst of N points per metric costs up to N updates; after the wait
    /// it costs one.
    /// A writer that is behind (its last round averaged 8 or more points per update) or a
    /// cache near MAX_CACHE_SIZE does not wait: there, deeper queues already batch the writes.
    mutating func settle() {
        let limit = writer.settings.settleSeconds
        guard limit > 0, roundUpdates == 0 || roundPoints < 8 * roundUpdates else { return }
        let tick = 0.01
        var waited = 0.0
        var before = cache.size
        var quietTicks = 0
        while waited < limit, cache.isBelowLowWatermark, !writer.stopping.load(ordering: .relaxed) {
            pacing.sleep(tick)
            waited += tick
            let now = cache.size
            quietTicks = now - before < max(200, now / 500) ? quietTicks + 1 : 0
            if quietTicks == 2 { return }
            before = now
        }
    }

    /// Forgets the quarantine, the open files and the directories held open once the rules
    /// were reloaded (SIGHUP) since it was last looked at: a repaired file gets its points
    /// again, and files or directories an operator moved away are not written into any more.
    mutating func forgetAfterReload() {
        let generation = writer.layoutGeneration.load(ordering: .relaxed)
        guard generation != seenGeneration else { return }
        seenGeneration = generation
        quarantine.removeAll()
        directories.forgetAll()
        cache.accountWriterBytes(-handleBytes)
        handleBytes = 0
        handles.removeAll()
        pinnedCount = 0
    }

    /// Every minute, lets the cache forget the metrics of this worker's shards that had no
    /// points for a whole minute (the cache keeps a written metric's entry for its next point).
    mutating func sweepIdleMetrics() {
        let now = pacing.now()
        guard now - lastSweep >= 60 else { return }
        lastSweep = now
        cache.sweepIdleMetrics(ofShards: shards)
    }

    /// Every 5 seconds, forgets the open files an operator deleted (to have them created again
    /// with new rules, as carbon, which opens a file for every write, does at its next write):
    /// a kept descriptor would go on writing into the deleted file. A file whose descriptor is
    /// released is reopened by name for every write and so found missing at once.
    mutating func dropDeletedFiles(force: Bool = false) {
        let now = pacing.now()
        guard force || now - lastDeletedFilesCheck >= 5 else { return }
        lastDeletedFilesCheck = now
        let deleted = handles.filter { $0.value.pinned && $0.value.file.isDeleted }.map(\.key)
        for metric in deleted {
            forgetHandle(metric)
            pinnedCount -= 1
        }
    }

    /// At the memory ceiling: forgets the handles whose descriptor is already released (beyond
    /// the open-file budget; they only spare a header read), giving their memory back. Kept
    /// otherwise, so a writer with memory to spare reopens those files without reading them.
    mutating func dropReleasedHandles() {
        for (metric, handle) in handles where !handle.pinned { forgetHandle(metric) }
    }

    /// Forgets a metric's handle and its share of the counted memory; returns it.
    @discardableResult
    mutating func forgetHandle(_ metric: String) -> Handle? {
        guard let handle = handles.removeValue(forKey: metric) else { return nil }
        handleBytes -= Self.bytesPerHandle + metric.utf8.count
        cache.accountWriterBytes(-(Self.bytesPerHandle + metric.utf8.count))
        return handle
    }

    /// Forgets handles whose header another thread rewrote (only this worker's own metrics).
    mutating func dropStaleHandles() {
        let owned = writer.staleHandles.withLock { stale -> [String] in
            guard !stale.isEmpty else { return [] }
            let mine = stale.filter { shards.contains(cache.shardIndex(of: $0)) }
            stale.subtract(mine)
            return Array(mine)
        }
        for metric in owned {
            if let handle = forgetHandle(metric), handle.pinned { pinnedCount -= 1 }
        }
    }

    enum Outcome { case written, waiting, failed }

    /// Writes all queued points of one metric.
    mutating func write(_ metric: String, stopping: Bool) -> Outcome {
        var handle: Handle
        if let known = handles[metric] {
            handle = known
        } else {
            switch openOrCreate(metric, stopping: stopping) {
            case let .opened(opened): handle = opened
            case let .notOpened(outcome): return outcome
            }
        }
        writer.updateBucket.take(unless: { [writer] in writer.areLimitsLifted })
        guard let points = cache.pop(metric) else { return .waiting }
        if !handle.file.isDescriptorOpen { reopen(&handle) }
        let whisperPoints = points.map { WhisperPoint(timestamp: Int($0.timestamp.rounded(.towardZero)), value: $0.value) }
        let began = DispatchTime.now().uptimeNanoseconds
        do {
            try handle.file.updateMany(whisperPoints, now: Int(wallClockSeconds()))
            let elapsed = DispatchTime.now().uptimeNanoseconds - began
            stats.updateNanoseconds.add(Int(elapsed), ordering: .relaxed)
            stats.updateOperations.add(1, ordering: .relaxed)
            stats.committedPoints.add(points.count, ordering: .relaxed)
            roundPoints += points.count
            roundUpdates += 1
            writesSinceTagUpdate += 1
            if writesSinceTagUpdate >= writer.settings.tagUpdateInterval {
                writesSinceTagUpdate = 0
                writer.report(metric, .updated)
            }
        } catch {
            forgetHandle(metric)
            if handle.pinned { pinnedCount -= 1 }
            return writeFailed(metric, points: points, error: error)
        }
        if !handle.pinned {
            if pinnedCount < openFileBudget {
                handle.pinned = true
                pinnedCount += 1
            } else {
                handle.file.closeDescriptor()
            }
        }
        if handles.updateValue(handle, forKey: metric) == nil {
            handleBytes += Self.bytesPerHandle + metric.utf8.count
            cache.accountWriterBytes(Self.bytesPerHandle + metric.utf8.count)
            if handles.count & 1023 == 0, cache.isAboveMemoryLowWatermark { dropReleasedHandles() }
        }
        return .written
    }

    /// Takes the released descriptor of a known file again through its directory; when that
    /// fails, the directory is let go and the write reopens the file by its whole path.
    mutating func reopen(_ handle: inout Handle) {
        guard let location = handle.location, let directory = directories.directory(location.directory) else { return }
        do {
            try handle.file.reopenDescriptor(name: location.name, in: directory)
        } catch {
            directories.forget(location.directory)
        }
    }

    enum Opening {
        case opened(Handle)
        /// `.waiting`: no create token yet; `.failed`: a transient error, points stay cached;
        /// `.written`: the metric was given up and its points dropped (counted).
        case notOpened(Outcome)
    }

    /// Opens the metric's file, creating it if needed.
    mutating func openOrCreate(_ metric: String, stopping: Bool) -> Opening {
        // A reload may have come after this round began (the round can sleep in settle()):
        // a point sent once the reload is logged must not meet the old quarantine.
        forgetAfterReload()
        if quarantine.contains(metric) {
            drop(metric, reason: "quarantined")
            return .notOpened(.written)
        }
        let layout = writer.layout.withLock { $0 }
        let path: String
        do {
            path = try layout.path(metric)
        } catch {
            stats.errors.add(1, ordering: .relaxed)
            writer.log.log(.warning, kind: "bad_metric_name", "event=bad_metric_name metric=\(quoted(metric)) reason=\(quoted("\(error)"))")
            drop(metric, reason: "invalid name")
            return .notOpened(.written)
        }
        var location = FileLocation(path: path)
        do {
            let file: WhisperFile
            if let name = location?.name, let directory = location.flatMap({ directories.directory($0.directory) }) {
                location?.directory = directory.path
                do {
                    file = try WhisperFile.open(name: name, in: directory, options: writer.settings.whisperOptions)
                } catch WhisperError.io(_, _, ENOENT) where directory.isRemoved {
                    // Looked up in a directory since removed: the path may lead elsewhere now.
                    directories.forget(directory.path)
                    file = try WhisperFile.open(path: path, options: writer.settings.whisperOptions)
                }
            } else {
                file = try WhisperFile.open(path: path, options: writer.settings.whisperOptions)
            }
            writer.report(metric, .opened)
            return .opened(Handle(file: file, pinned: false, location: location))
        } catch WhisperError.io(_, _, ENOENT) {
            // Not on disk yet: create below.
        } catch {
            return .notOpened(handleOpenError(metric, error))
        }
        // A new series: quotas first, so a refused one takes no create token.
        if let refusal = writer.quotas.admitNewSeries(metric, now: pacing.now()) {
            let dropped = cache.pop(metric)?.count ?? 0
            stats.droppedPoints.add(dropped, ordering: .relaxed)
            writer.quotas.countDroppedPoints(dropped, refusal: refusal)
            writer.log.quotaRefused(rule: refusal.rule, namespace: refusal.namespace, limit: refusal.limit.rawValue, metric: metric)
            return .notOpened(.written)
        }
        if !stopping && !writer.areLimitsLifted && !writer.createBucket.tryTake() {
            writer.quotas.releaseSeries(metric)
            stats.deferredCreates.add(1, ordering: .relaxed)
            if announcedWaiting.insert(metric).inserted { writer.report(metric, .waitingForCreate) }
            return .notOpened(.waiting)
        }
        let spec = layout.newFile(metric)
        do {
            let file = try createFile(path: path, layout: spec)
            stats.creates.add(1, ordering: .relaxed)
            announcedWaiting.remove(metric)
            writer.report(metric, .created)
            return .opened(Handle(file: file, pinned: false, location: location))
        } catch {
            writer.quotas.releaseSeries(metric)
            return .notOpened(handleOpenError(metric, error))
        }
    }

    private func createFile(path: String, layout spec: NewFileLayout) throws -> WhisperFile {
        func attempt() throws -> WhisperFile {
            try WhisperFile.create(path: path, archives: spec.archives, xFilesFactor: spec.xFilesFactor,
                                   aggregationMethod: spec.aggregationMethod, allocation: writer.settings.allocation,
                                   options: writer.settings.whisperOptions)
        }
        do {
            return try attempt()
        } catch WhisperError.io(_, "open", ENOENT) {
            try makeDirectories((path as NSString).deletingLastPathComponent)
            return try attempt()
        } catch WhisperError.fileExists {
            return try WhisperFile.open(path: path, options: writer.settings.whisperOptions)
        }
    }

    /// Classifies a failure to open or create: corrupt → quarantine (points dropped),
    /// anything else → counted, points kept for a retry.
    private mutating func handleOpenError(_ metric: String, _ error: any Error) -> Outcome {
        stats.errors.add(1, ordering: .relaxed)
        if case .corrupt? = error as? WhisperError {
            quarantine.insert(metric)
            stats.quarantinedMetrics.add(1, ordering: .relaxed)
            writer.log.log(.error, kind: "corrupt_file", "event=quarantine metric=\(quoted(metric)) reason=\(quoted("\(error)"))")
            drop(metric, reason: "quarantined")
            return .written
        }
        if case .io(_, _, ENAMETOOLONG)? = error as? WhisperError {
            // A component over NAME_MAX or a path over PATH_MAX: the name can never become a
            // file, so retrying would keep its points forever and hold every shutdown drain for
            // its whole retry time (shutdownRetrySeconds). A bad name, like one that is no path.
            writer.log.log(.warning, kind: "bad_metric_name", "event=bad_metric_name metric=\(quoted(metric)) reason=\(quoted("\(error)"))")
            drop(metric, reason: "name too long")
            return .written
        }
        writer.log.log(.error, kind: "write_error", "event=write_error metric=\(quoted(metric)) error=\(quoted("\(error)")) points=kept")
        return .failed
    }

    private mutating func writeFailed(_ metric: String, points: [CachedPoint], error: any Error) -> Outcome {
        if case .corrupt? = error as? WhisperError {
            stats.errors.add(1, ordering: .relaxed)
            quarantine.insert(metric)
            stats.quarantinedMetrics.add(1, ordering: .relaxed)
            stats.droppedPoints.add(points.count, ordering: .relaxed)
            writer.log.log(.error, kind: "corrupt_file", "event=quarantine metric=\(quoted(metric)) reason=\(quoted("\(error)")) points_dropped=\(points.count)")
            drop(metric, reason: "quarantined")
            return .written
        }
        cache.restore(metric, points)
        if case .io(_, "open", ENOENT)? = error as? WhisperError {
            // The file or its directory went away since it was opened (an operator deleted it,
            // as carbon's writer would find at its next open): it is created again, with the
            // points kept, at the metric's next write.
            writer.log.log(.info, kind: "file_missing", "event=file_missing metric=\(quoted(metric)) action=create")
            restoredInRound = true
            return .written
        }
        return handleOpenError(metric, error)
    }

    /// Gives up the metric's cached points, counted.
    private func drop(_ metric: String, reason: String) {
        if let points = cache.pop(metric) {
            stats.droppedPoints.add(points.count, ordering: .relaxed)
        }
    }
}

/// `mkdir -p`.
func makeDirectories(_ path: String) throws {
    if path.isEmpty || mkdir(path, 0o755) == 0 || errno == EEXIST { return }
    if errno == ENOENT {
        try makeDirectories((path as NSString).deletingLastPathComponent)
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
    }
    throw WhisperError.io(path: path, operation: "mkdir", errno: errno)
}
