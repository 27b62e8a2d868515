import CarbonConfig
import CarbonCache
import Foundation
import Logging
import Synchronization

import Glibc
import ServerRuntime

/// The write-ahead log of accepted points (WAL_DIR). Every point a receiver stores in the cache
/// is appended here too; a thread writes and fsyncs what was appended every WAL_FSYNC_INTERVAL
/// seconds, so a crash (`kill -9`, power loss) loses at most that much of what the cache held.
/// At the next start the segments left behind are stored into the cache again before anything
/// else. A segment is removed once every point in it is on disk: each writer thread has begun
/// and finished a round that wrote everything it found since the segment was closed.
public final class WriteAheadLog: Sendable {
    public let directory: String
    public let fsyncInterval: Double
    /// A segment is closed after this long or this many bytes, whichever comes first.
    static let segmentSeconds = 10.0
    static let segmentBytes = 64 << 20

    struct Segments {
        var fd: Int32 = -1
        var sequence = 0
        var openedAt = 0.0
        var bytes = 0
        var closed: [(sequence: Int, closedAt: Double)] = []
        var stopping = false
    }

    private let pending = Mutex<[UInt8]>([])
    private let segments = Mutex(Segments())
    private let writer = Mutex<CacheWriter?>(nil)
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<WorkerThread?>(nil)
    private let started = Atomic<Bool>(false)
    private let log: RateLimitedLogger

    public init(directory: String, fsyncInterval: Double, logger: Logger) {
        self.directory = directory
        self.fsyncInterval = fsyncInterval
        self.log = RateLimitedLogger(logger: logger)
    }

    /// The segments in the directory, oldest first.
    func segmentSequences() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { $0.hasSuffix(".wal") ? Int($0.dropLast(4)) : nil }.sorted()
    }

    func path(_ sequence: Int) -> String {
        directory + "/" + String(repeating: "0", count: max(0, 16 - String(sequence).count)) + "\(sequence).wal"
    }

    /// Stores the points of the segments the previous run left into `cache`; call before the
    /// writer and the receivers start. They are removed once the writer has written them.
    /// Creates the directory if needed.
    @discardableResult
    public func replay(into cache: MetricCache) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var count = 0
        let now = monotonicSeconds()
        for sequence in segmentSequences() {
            guard let data = FileManager.default.contents(atPath: path(sequence)) else { continue }
            let (records, complete) = WriteAheadLogRecord.read([UInt8](data))
            for record in records { _ = cache.store(record.name, record.point) }
            count += records.count
            if !complete {
                log.logger.warning("event=wal_segment_cut_short path=\(quoted(path(sequence))) records=\(records.count)")
            }
            segments.withLock { $0.closed.append((sequence, now)); $0.sequence = max($0.sequence, sequence) }
        }
        log.logger.info("event=wal_replayed points=\(count) directory=\(quoted(directory))")
        return count
    }

    /// Starts the thread that writes, fsyncs, rotates and removes segments.
    public func start(writer: CacheWriter) {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        self.writer.withLock { $0 = writer }
        let started = WorkerThread.start(name: "stoker-wal") { [self] in run() }
        thread.withLock { $0 = started }
    }

    /// Appends the points of a batch just stored in the cache.
    public func append(_ batch: CacheBatch) {
        guard !batch.isEmpty else { return }
        pending.withLock { buffer in
            for item in 0..<batch.count {
                let name = batch.name(item)
                WriteAheadLogRecord.append(name: UnsafeRawBufferPointer(start: name.start, count: name.count),
                                           batch.points[item], to: &buffer)
            }
        }
    }

    /// Appends one point just stored in the cache.
    public func append(name: String, point: CachedPoint) {
        pending.withLock { WriteAheadLogRecord.append(name: name, point, to: &$0) }
    }

    /// Writes and fsyncs what is left, then stops the thread (blocking: from async code, through
    /// `WorkerThread.run`). With `cacheEmpty` (the shutdown drain wrote every point) every
    /// segment is removed: nothing is left to replay.
    public func stop(cacheEmpty: Bool) {
        guard started.load(ordering: .relaxed) else { return }
        segments.withLock { $0.stopping = true }
        wake.signal()
        thread.withLock { $0 }?.waitBlocking()
        if cacheEmpty {
            for sequence in segmentSequences() { unlink(path(sequence)) }
        }
    }

    private func run() {
        while true {
            _ = wake.wait(timeout: .now() + fsyncInterval)
            let stopping = segments.withLock { $0.stopping }
            flush()
            removeWrittenSegments()
            if stopping {
                segments.withLock { state in
                    if state.fd >= 0 { close(state.fd) }
                    state.fd = -1
                }
                return
            }
        }
    }

    /// Writes what was appended into the current segment (opening or rotating it) and fsyncs.
    private func flush() {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        segments.withLock { state in
            let now = monotonicSeconds()
            if state.fd >= 0, now - state.openedAt >= Self.segmentSeconds || state.bytes >= Self.segmentBytes {
                close(state.fd)
                state.fd = -1
                state.closed.append((state.sequence, now))
            }
            guard !bytes.isEmpty else { return }
            if state.fd < 0 {
                state.sequence += 1
                state.fd = open(path(state.sequence), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                state.openedAt = now
                state.bytes = 0
                guard state.fd >= 0 else {
                    log.log(.error, kind: "wal_write_failed", "event=wal_write_failed path=\(quoted(path(state.sequence))) errno=\(errno) points_unlogged=yes")
                    return
                }
            }
            let written = bytes.withUnsafeBytes { raw -> Bool in
                var done = 0
                while done < raw.count {
                    let n = write(state.fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return false }
                    done += n
                }
                return fdatasync(state.fd) == 0
            }
            state.bytes += bytes.count
            if !written {
                log.log(.error, kind: "wal_write_failed", "event=wal_write_failed path=\(quoted(path(state.sequence))) errno=\(errno)")
            }
        }
    }

    /// Removes the closed segments whose every point the writer has put on disk.
    private func removeWrittenSegments() {
        guard let writer = writer.withLock({ $0 }) else { return }
        let written = writer.everythingWrittenBefore
        let removable = segments.withLock { state -> [Int] in
            let done = state.closed.filter { $0.closedAt < written }.map(\.sequence)
            state.closed.removeAll { $0.closedAt < written }
            return done
        }
        for sequence in removable { unlink(path(sequence)) }
    }
}
