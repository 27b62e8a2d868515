import StatsdCore
import Synchronization

/// statsd's own counters summed over every flush since start (statsd resets them each flush),
/// for a scrape (`/metrics`) that wants totals.
public final class StatsdTotals: Sendable {
    /// Updated once a flush, read once a scrape: a lock is cheap enough.
    private let counts = Mutex([Int](repeating: 0, count: InternalCounter.allCases.count))
    private let flushNanoseconds = Atomic<Int>(0)

    public init() {}

    public func total(_ counter: InternalCounter) -> Int {
        counts.withLock { $0[counter.rawValue] }
    }

    /// Seconds spent in flushes (absorb, maths, handing the points to the cache).
    public var flushSeconds: Double { Double(flushNanoseconds.load(ordering: .relaxed)) / 1e9 }

    /// Adds the internal counters one flush reported (`PreparedFlush.internalCounts`).
    func add(_ flushed: [Int]) {
        counts.withLock { counts in
            for (index, count) in flushed.enumerated() where index < counts.count { counts[index] += count }
        }
    }

    func addFlush(seconds: Double) {
        flushNanoseconds.add(Int(seconds * 1e9), ordering: .relaxed)
    }
}
