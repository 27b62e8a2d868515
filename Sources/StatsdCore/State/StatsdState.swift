/// The long-lived statsd state one flush thread owns: the merged table, the flush history and
/// what the admin interface shows. Reader tables are absorbed into it; `flush` runs statsd's
/// flush (timestamp_lag, process_metrics, the graphite datapoints) and then its between-flush
/// rules.
public struct StatsdState: Sendable {
    public var settings: StatsdSettings
    /// Counters, timers, gauges and sets accumulated since the last flush (plus what persists).
    public var table: AggregationTable
    /// Unix seconds at startup.
    public let startupTime: Int
    /// The previous flush's timestamp (none before the first flush).
    public private(set) var previousFlushTimestamp: Int?
    /// Unix seconds of the last packet (initially the startup time).
    public var lastMessageSeen: Int
    /// Bad lines since startup (admin `messages.bad_lines_seen`; never reset).
    public private(set) var badLinesSeenTotal: Int = 0
    /// Admin `health` value (`up` or `down`; from statsd's healthStatus).
    public var health: String
    /// The graphite backend's status, describing the previous flush; the owner updates it after
    /// handing a flush on.
    public var graphiteStatus: GraphiteStatus
    /// Extra `name: value` lines for the admin `config` command (ports and such, set by the
    /// application).
    public var extraConfig: [(name: String, value: String)] = []

    public init(settings: StatsdSettings, startupTime: Int, health: String = "up") {
        self.settings = settings
        self.startupTime = startupTime
        lastMessageSeen = startupTime
        self.health = health
        graphiteStatus = GraphiteStatus(startupTime: startupTime)
        table = AggregationTable(maxKeys: settings.maxKeysPerInterval)
        for counter in InternalCounter.allCases where counter.existsFromStartup {
            table.setCounter(counter.key(prefixStats: settings.prefixStats), 0)
        }
    }

    /// Merges a reader's interval into the state and empties the reader for reuse.
    public mutating func absorb(_ reader: inout AggregationTable) {
        badLinesSeenTotal += reader.internalCount(.badLinesSeen)
        if let seen = reader.lastMessageSeen { lastMessageSeen = max(lastMessageSeen, seen) }
        table.merge(reader, settings: settings)
        reader.removeAll()
    }

    /// One flush at `timestamp` (unix seconds, statsd's round(now/1000)): sets
    /// `<prefixStats>.timestamp_lag` from the second flush on, computes the datapoints, then
    /// applies the between-flush rules. `prepareFlush` and `PreparedFlush.compute` in one.
    public mutating func flush(timestamp: Int, clock: () -> Double = StatsdFlushMaths.monotonicMilliseconds) -> StatsdFlushOutput {
        prepareFlush(timestamp: timestamp).compute(clock: clock)
    }

    /// The part of a flush that needs the state: the internal counters folded, timestamp_lag
    /// set, the interval's table taken (a copy-on-write snapshot) and the live table reset for
    /// the next interval. The maths then run on the snapshot without the state, so whoever
    /// guards the state (statsd's admin commands) waits only for this, not for the maths.
    public mutating func prepareFlush(timestamp: Int) -> PreparedFlush {
        badLinesSeenTotal += table.internalCount(.badLinesSeen)
        table.foldInternalCounts(prefixStats: settings.prefixStats)
        if let previous = previousFlushTimestamp {
            table.setGauge(settings.prefixStats + ".timestamp_lag", Double(timestamp - previous) - settings.flushIntervalSeconds)
        }
        previousFlushTimestamp = timestamp
        // An internal counter deleted through the admin port is NaN for one flush (statsd adds
        // to `undefined`): counted as nothing here.
        let internalCounts = InternalCounter.allCases.map { counter in
            let value = table.counter(counter.key(prefixStats: settings.prefixStats)) ?? 0
            return value.isFinite ? Int(value) : 0
        }
        let prepared = PreparedFlush(table: table, settings: settings, timestamp: timestamp, graphiteStatus: graphiteStatus,
                                     internalCounts: internalCounts)
        table.resetAfterFlush(settings: settings)
        return prepared
    }
}

/// A flush taken from the state, waiting for its maths (`StatsdFlushMaths.process`).
public struct PreparedFlush: Sendable {
    let table: AggregationTable
    let settings: StatsdSettings
    let timestamp: Int
    let graphiteStatus: GraphiteStatus
    /// statsd's own counters this flush reports (by `InternalCounter.rawValue`).
    public let internalCounts: [Int]

    public func compute(clock: () -> Double = StatsdFlushMaths.monotonicMilliseconds) -> StatsdFlushOutput {
        StatsdFlushMaths.process(table, settings: settings, timestamp: timestamp, graphiteStatus: graphiteStatus, clock: clock)
    }
}
