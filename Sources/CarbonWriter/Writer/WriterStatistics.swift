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

