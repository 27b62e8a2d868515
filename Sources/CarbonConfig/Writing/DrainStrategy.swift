/// The order in which writers take metrics out of the cache (CACHE_WRITE_STRATEGY).
public enum DrainStrategy: String, Sendable, CaseIterable {
    /// Snapshot of the queues, most points first (ties: the metric cached later first); a new
    /// snapshot only when the last one is used up, so every metric is written once per round.
    case sorted
    /// Always the metric with the most points right now (carbon scans the whole cache per pick;
    /// Stoker ranks a snapshot, which gives the same order without the O(n) scan per write).
    case max
    /// Snapshot of the metric names, newest cached first.
    case naive
    /// Snapshot ordered by each metric's oldest cached point, oldest first; with
    /// MIN_TIMESTAMP_LAG only metrics whose oldest point is older than the lag.
    case timesorted
}

/// What a drain snapshot knows about one queued metric.
public struct QueueSummary: Sendable, Equatable {
    public var metric: String
    public var count: Int
    public var sequence: UInt64
    public var oldestTimestamp: Double

    public init(metric: String, count: Int, sequence: UInt64, oldestTimestamp: Double) {
        self.metric = metric
        self.count = count
        self.sequence = sequence
        self.oldestTimestamp = oldestTimestamp
    }
}

extension DrainStrategy {
    /// Orders a snapshot for writing: the first element is written first.
    public func order(_ queues: [QueueSummary], now: Double, minimumLag: Double) -> [String] {
        switch self {
        case .sorted, .max:
            return queues.sorted { ($0.count, $0.sequence) > ($1.count, $1.sequence) }.map(\.metric)
        case .naive:
            return queues.sorted { $0.sequence > $1.sequence }.map(\.metric)
        case .timesorted:
            return queues
                .filter { minimumLag <= 0 || $0.oldestTimestamp < now - minimumLag }
                .sorted { ($0.oldestTimestamp, $0.sequence) < ($1.oldestTimestamp, $1.sequence) }
                .map(\.metric)
        }
    }
}
