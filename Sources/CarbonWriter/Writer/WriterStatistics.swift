import CarbonCache
import CarbonConfig
import Synchronization

/// The writer's counters since start. Self-instrumentation reports per-interval differences.
public final class WriterStatistics: Sendable {
    let committedPoints = Atomic<Int>(0)
    let updateOperations = Atomic<Int>(0)
    let updateNanoseconds = Atomic<Int>(0)
    let creates = Atomic<Int>(0)
    let deferredCreates = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let droppedPoints = Atomic<Int>(0)
    let quarantinedMetrics = Atomic<Int>(0)

    public init() {}

    /// A consistent-enough copy of every counter.
    public struct Snapshot: Sendable, Equatable {
        public init() {}

        /// Points written to whisper files.
        public var committedPoints = 0
        /// update_many calls.
        public var updateOperations = 0
        /// Time spent in update_many.
        public var updateSeconds = 0.0
        /// Files created.
        public var creates = 0
        /// Times a new metric had to wait for a MAX_CREATES_PER_MINUTE token (its points stay cached).
        public var deferredCreates = 0
        /// Create and write errors.
        public var errors = 0
        /// Points given up: bad names, corrupt (quarantined) files.
        public var droppedPoints = 0
        /// Metrics whose file is corrupt and which are no longer written.
        public var quarantinedMetrics = 0
    }

    public var snapshot: Snapshot {
        var s = Snapshot()
        s.committedPoints = committedPoints.load(ordering: .relaxed)
        s.updateOperations = updateOperations.load(ordering: .relaxed)
        s.updateSeconds = Double(updateNanoseconds.load(ordering: .relaxed)) / 1e9
        s.creates = creates.load(ordering: .relaxed)
        s.deferredCreates = deferredCreates.load(ordering: .relaxed)
        s.errors = errors.load(ordering: .relaxed)
        s.droppedPoints = droppedPoints.load(ordering: .relaxed)
        s.quarantinedMetrics = quarantinedMetrics.load(ordering: .relaxed)
        return s
    }
}

/// One writer thread's writes not yet added to `WriterStatistics`: added every 1024 writes and
/// at the end of each round, so the shared counters are touched a thousand times less often.
struct UnpublishedWrites {
    private var points = 0
    private var operations = 0
    private var nanoseconds = 0

    mutating func add(points count: Int, nanoseconds elapsed: Int, publishingTo statistics: WriterStatistics) {
        points += count
        operations += 1
        nanoseconds += elapsed
        if operations >= 1024 { publish(to: statistics) }
    }

    mutating func publish(to statistics: WriterStatistics) {
        guard operations > 0 else { return }
        statistics.committedPoints.add(points, ordering: .relaxed)
        statistics.updateOperations.add(operations, ordering: .relaxed)
        statistics.updateNanoseconds.add(nanoseconds, ordering: .relaxed)
        self = UnpublishedWrites()
    }
}
