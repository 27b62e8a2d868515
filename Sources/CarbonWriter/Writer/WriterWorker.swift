import CarbonConfig
import CarbonCache
import Foundation
import Whisper

import Glibc
import ServerRuntime

/// One writer thread's state: its shards, its open files, its quarantine. Never shared.
struct WriterWorker {
    let writer: CacheWriter
    let shards: [Int]
    /// This thread's place in `writer.cleanRoundStarts`.
    var index = 0
    /// Whether the current round put points back into the cache (a file found missing).
    var restoredInRound = false
    let openFileBudget: Int
    /// Every file written: header, directory, bases, and the descriptor while within the
    /// budget (docs/carbon.md §16).
    var files = WrittenFiles()
    var pinnedCount: Int { files.openCount }
    var directories: OpenDirectories
    var quarantine: Set<String> = []
    /// New metrics already reported waiting for a create (reported once each).
    var announcedWaiting: Set<String> = []
    var seenGeneration = 0
    /// After a round that wrote nothing because every write failed (a full disk?).
    var backoff = RetryBackoff(initial: 0.1, maximum: 5)
    var lastSweep: Double
    var lastDeletedFilesCheck: Double
    var lastRelease = 0.0
    /// Points and updates written in the current round (whether the writer is behind).
    var roundPoints = 0
    var roundUpdates = 0
    /// Writes since the last `.updated` report (TAG_UPDATE_INTERVAL).
    var writesSinceTagUpdate = 0
    /// Counts of writes not yet added to the shared statistics: both writer threads adding to
    /// the same counters at every write made their cache line bounce between the cores.
    var unpublished = UnpublishedWrites()

    init(writer: CacheWriter, shards: [Int], openFileBudget: Int) {
        self.writer = writer
        self.shards = shards
        // A quarter of the descriptors, at most 4096, hold directories open: with more files
        // than descriptors, the directories of a flush's worth of writes (statsd's timers:
        // one directory per timer) are what spares the path walks.
        let directoryCapacity = min(4096, openFileBudget / 4)
        self.directories = OpenDirectories(capacity: directoryCapacity)
        self.openFileBudget = openFileBudget - directoryCapacity
        lastSweep = writer.pacing.now()
        lastDeletedFilesCheck = lastSweep
    }

    private var cache: MetricCache { writer.cache }
    private var stats: WriterStatistics { writer.statistics }
    private var pacing: Pacing { writer.pacing }

    mutating func run() {
        // The descriptors held are plain numbers in `files`: nothing else closes them when
        // the writer stops (a service stopped and started again in one process).
        defer { files.removeAll() }
        var shutdownFailingSince: Double? = nil
        while true {
            let stopping = writer.stopping.load(ordering: .relaxed)
            forgetAfterReload()
            dropStaleHandles()
            dropDeletedFiles()
            sweepIdleMetrics()
            releaseFreedMemory()
            if !stopping { settle() }
            roundPoints = 0
            roundUpdates = 0
            let strategy = writer.settings.strategy
            let roundStart = pacing.now()
            if cache.isAboveMemoryLowWatermark { forgetReleasedFiles() }
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
            unpublished.publish(to: stats)
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
        cache.accountWriterBytes(-files.memoryBytes)
        files.removeAll()
    }

    /// Every minute, lets the cache forget the metrics of this worker's shards that had no
    /// points for a whole minute (the cache keeps a written metric's entry for its next point).
    mutating func sweepIdleMetrics() {
        let now = pacing.now()
        guard now - lastSweep >= 60 else { return }
        lastSweep = now
        cache.sweepIdleMetrics(ofShards: shards)
    }

    /// Every 10 seconds, the first writer hands the pages of freed allocations back to the
    /// kernel: the receivers allocate each metric's queue and the writers free it, and what a
    /// burst or backlog held stays resident otherwise (`FreedMemory`).
    mutating func releaseFreedMemory() {
        let now = pacing.now()
        guard index == 0, now - lastRelease >= 10 else { return }
        lastRelease = now
        FreedMemory.release()
    }

    /// Every 5 seconds, forgets the open files an operator deleted (to have them created again
    /// with new rules, as carbon, which opens a file for every write, does at its next write):
    /// a kept descriptor would go on writing into the deleted file. A released file is reopened
    /// by name for every write and so found missing at once.
    mutating func dropDeletedFiles(force: Bool = false) {
        let now = pacing.now()
        guard force || now - lastDeletedFilesCheck >= 5 else { return }
        lastDeletedFilesCheck = now
        for metric in files.deletedWhileHeld() { files.forget(metric) }
    }

    /// At the memory ceiling: forgets what is kept of the files whose descriptor is released
    /// (they only spare a header read and a path at their next write), giving its memory back.
    mutating func forgetReleasedFiles() {
        let before = files.memoryBytes
        files.forgetReleased()
        cache.accountWriterBytes(files.memoryBytes - before)
    }

    /// Forgets handles whose header another thread rewrote (only this worker's own metrics).
    mutating func dropStaleHandles() {
        let owned = writer.staleHandles.withLock { stale -> [String] in
            guard !stale.isEmpty else { return [] }
            let mine = stale.filter { shards.contains(cache.shardIndex(of: $0)) }
            stale.subtract(mine)
            return Array(mine)
        }
        for metric in owned { files.forget(metric) }
    }

    enum Outcome { case written, waiting, failed }

    /// Writes all queued points of one metric.
    mutating func write(_ metric: String, stopping: Bool) -> Outcome {
        let file: WhisperFile
        var kept: WrittenFiles.Kept?
        if let (reopened, known) = reopenKept(metric) {
            file = reopened
            kept = known
        } else {
            switch openOrCreate(metric, stopping: stopping) {
            case let .opened(opened): file = opened
            case let .notOpened(outcome): return outcome
            }
        }
        writer.updateBucket.take(unless: { writer.areLimitsLifted })
        guard let points = cache.pop(metric) else {
            keep(metric, file, kept: kept)
            return .waiting
        }
        let whisperPoints = points.map { WhisperPoint(timestamp: Int($0.timestamp.rounded(.towardZero)), value: $0.value) }
        let began = DispatchTime.now().uptimeNanoseconds
        do {
            try file.updateMany(whisperPoints, now: Int(wallClockSeconds()))
            unpublished.add(points: points.count, nanoseconds: Int(DispatchTime.now().uptimeNanoseconds - began), publishingTo: stats)
            roundPoints += points.count
            roundUpdates += 1
            writesSinceTagUpdate += 1
            if writesSinceTagUpdate >= writer.settings.tagUpdateInterval {
                writesSinceTagUpdate = 0
                writer.report(metric, .updated)
            }
        } catch {
            // The handle closes its descriptor; the next write opens the file afresh.
            files.forget(metric)
            return writeFailed(metric, points: points, error: error)
        }
        keep(metric, file, kept: kept)
        return .written
    }

    /// After a write: holds the file's descriptor while the budget allows, else lets it go;
    /// either way keeps what the next write needs (the header, the bases as the write left
    /// them).
    private mutating func keep(_ metric: String, _ file: WhisperFile, kept: WrittenFiles.Kept?) {
        let hold = (kept?.descriptor ?? -1) >= 0 || files.openCount < openFileBudget
        let descriptor = hold ? file.relinquishDescriptor() : -1
        if let kept {
            files.putBack(kept, descriptor: descriptor, bases: file.knownBases)
            return
        }
        let before = files.memoryBytes, count = files.count
        files.keep(metric, file, descriptor: descriptor)
        cache.accountWriterBytes(files.memoryBytes - before)
        if files.count != count, files.count & 1023 == 0, cache.isAboveMemoryLowWatermark { forgetReleasedFiles() }
    }

    /// A handle on a file written before, from what was kept of it: its held descriptor, or
    /// reopened by name in its directory (when that is known and held). nil when nothing is
    /// kept or the reopen failed (the file or its directory is gone): then what was kept is
    /// forgotten and the write opens the file afresh (or creates it again).
    mutating func reopenKept(_ metric: String) -> (WhisperFile, WrittenFiles.Kept)? {
        guard let kept = files.take(metric) else { return nil }
        let path: String, name: String, directory: WhisperDirectory?
        if let known = kept.directory {
            let fileName = WrittenFiles.fileName(of: metric)
            path = WhisperDirectory.path(of: fileName, in: known)
            let opening = kept.descriptor >= 0 ? nil : directories.opening(fileName, in: known)
            (directory, name) = (opening?.directory, opening?.name ?? fileName)
        } else {
            guard let worked = try? writer.layout.withLock({ $0 }).path(metric) else {
                if kept.descriptor >= 0 { close(kept.descriptor) }
                files.forget(metric)
                return nil
            }
            let location = FileLocation(path: worked)
            path = worked
            let opening = kept.descriptor >= 0 ? nil : location.flatMap { directories.opening($0.name, in: $0.directory) }
            (directory, name) = (opening?.directory, opening?.name ?? location?.name ?? worked)
        }
        do {
            let file = try WhisperFile.reopen(path: path, name: name, in: directory, descriptor: kept.descriptor,
                                              header: kept.header, bases: kept.bases, options: writer.settings.whisperOptions)
            return (file, kept)
        } catch {
            files.forget(metric)
            if let directory, directory.isRemoved { directories.forget(directory.path) }
            return nil
        }
    }

    enum Opening {
        case opened(WhisperFile)
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
        let location = FileLocation(path: path)
        do {
            let file: WhisperFile
            if let location, let (directory, name) = directories.opening(location.name, in: location.directory) {
                do {
                    file = try WhisperFile.open(name: name, in: directory, path: path, options: writer.settings.whisperOptions)
                } catch WhisperError.io(_, _, ENOENT) where directory.isRemoved {
                    // Looked up in a directory since removed: the path may lead elsewhere now.
                    directories.forget(directory.path)
                    file = try WhisperFile.open(path: path, options: writer.settings.whisperOptions)
                }
            } else {
                file = try WhisperFile.open(path: path, options: writer.settings.whisperOptions)
            }
            writer.report(metric, .opened)
            return .opened(file)
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
            return .opened(file)
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
