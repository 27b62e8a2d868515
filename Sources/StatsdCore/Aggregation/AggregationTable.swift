import NameBytes

/// The counters, timers, gauges and sets of one interval, keyed by name bytes. Each reader
/// thread parses into its own table; at flush the readers' tables are merged into the
/// long-lived table that `StatsdFlushMaths` reads and that `resetAfterFlush` prepares for the
/// next interval (statsd's clear_metrics, docs/statsd.md §3.5). Each metric kind is its own
/// table (`CounterTable`, `TimerTable`, `GaugeTable`, `SetTable`) keeping statsd's
/// first-insertion order; this type adds the shared key limit, internal counts and DogStatsD's
/// extras.
public struct AggregationTable: Sendable {
    /// Distinct keys (four types together) this table accepts; further new keys are dropped
    /// and counted as `keysOverLimit`.
    public var maxKeys: Int

    var counterTable = CounterTable()
    var timerTable = TimerTable()
    var gaugeTable = GaugeTable()
    var setTable = SetTable()

    /// Internal counts not yet folded into the `<prefixStats>.*` counters.
    var internalCounts = [Int](repeating: 0, count: InternalCounter.allCases.count)

    /// DogStatsD's client-stamped samples and events of the interval.
    public internal(set) var extras: DogStatsdExtras

    /// Unix seconds of the last packet parsed into this table (set by the socket layer).
    public var lastMessageSeen: Int?

    /// The first few rejected lines of the interval, for rate-limited logging.
    public private(set) var badLineSamples: [BadLineSample] = []
    /// How many bad-line samples are kept.
    public static let badLineSampleLimit = 16

    public init(maxKeys: Int = StatsdSettings().maxKeysPerInterval) {
        self.maxKeys = maxKeys
        extras = DogStatsdExtras(limit: maxKeys)
    }

    /// Number of distinct keys over the four types.
    public var keyCount: Int { counterTable.count + timerTable.count + gaugeTable.count + setTable.count }

    /// An internal count not yet folded into its counter.
    public func internalCount(_ counter: InternalCounter) -> Int { internalCounts[counter.rawValue] }

    /// Adds to an internal count (e.g. `.udpDropped` from SO_RXQ_OVFL).
    public mutating func addInternal(_ counter: InternalCounter, _ amount: Int = 1) {
        internalCounts[counter.rawValue] += amount
    }

    /// Empties the table for the next interval, keeping its allocations.
    public mutating func removeAll() {
        counterTable.removeAll()
        timerTable.removeAll()
        gaugeTable.removeAll()
        setTable.removeAll()
        for i in internalCounts.indices { internalCounts[i] = 0 }
        lastMessageSeen = nil
        badLineSamples.removeAll(keepingCapacity: true)
        extras.removeAll()
    }

    // MARK: - Hot path (name bytes already hashed)

    /// A new key over `maxKeys` is dropped and counted.
    private var mayInsert: Bool {
        @inline(__always) get { keyCount < maxKeys }
    }

    @inline(__always)
    private mutating func refuseKey() {
        internalCounts[InternalCounter.keysOverLimit.rawValue] += 1
    }

    @inline(__always)
    mutating func addCounter(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double) {
        let may = mayInsert
        if !counterTable.add(p, n, hash: hash, value, mayInsert: may) { refuseKey() }
    }

    @inline(__always)
    mutating func addTimer(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, weight: Double) {
        let may = mayInsert
        if !timerTable.add(p, n, hash: hash, value, weight: weight, mayInsert: may) { refuseKey() }
    }

    @inline(__always)
    mutating func applyGauge(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, signed: Bool) {
        let may = mayInsert
        if !gaugeTable.apply(p, n, hash: hash, value, signed: signed, mayInsert: may) { refuseKey() }
    }

    @inline(__always)
    mutating func addSetMember(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, member: SetMember?) {
        let may = mayInsert
        if !setTable.add(p, n, hash: hash, member: member, mayInsert: may) { refuseKey() }
    }

    /// A DogStatsD counter or gauge sample with the client's timestamp.
    mutating func addStamped(_ sample: DogStatsdExtras.StampedSample) {
        if !extras.add(sample) { internalCounts[InternalCounter.keysOverLimit.rawValue] += 1 }
    }

    /// Takes the interval's DogStatsD events out, for posting.
    public mutating func takeEvents() -> [StatsdEvent] { extras.takeEvents() }

    /// A DogStatsD event.
    public mutating func addEvent(_ event: StatsdEvent) {
        internalCounts[InternalCounter.eventsReceived.rawValue] += 1
        if !extras.add(event) { internalCounts[InternalCounter.keysOverLimit.rawValue] += 1 }
    }

    mutating func recordBadLine(_ reason: BadLineReason, line: UnsafeRawBufferPointer) {
        internalCounts[InternalCounter.badLinesSeen.rawValue] += 1
        if badLineSamples.count < AggregationTable.badLineSampleLimit {
            badLineSamples.append(BadLineSample(reason: reason, line: String(decoding: line, as: UTF8.self)))
        }
    }

    // MARK: - Access by name (tests, admin, flush)

    /// Adds to a counter as a sample would.
    public mutating func addCounter(_ name: String, _ value: Double) {
        NameHash.withHashedBytes(of: name) { addCounter($0, $1, hash: $2, value) }
    }

    /// Sets a counter to a value, creating it if needed (statsd's startup zeroes, resets).
    public mutating func setCounter(_ name: String, _ value: Double) {
        NameHash.withHashedBytes(of: name) { counterTable.set($0, $1, hash: $2, value) }
    }

    /// Sets a gauge without touching its TTL (statsd's `timestamp_lag`).
    public mutating func setGauge(_ name: String, _ value: Double) {
        NameHash.withHashedBytes(of: name) { gaugeTable.set($0, $1, hash: $2, value) }
    }

    /// A sample applied to a gauge as a `|g` line would (TTL untouched).
    public mutating func applyGauge(_ name: String, _ value: Double, signed: Bool) {
        NameHash.withHashedBytes(of: name) { applyGauge($0, $1, hash: $2, value, signed: signed) }
    }

    public mutating func addTimer(_ name: String, _ value: Double, sampleRate: Double = 1) {
        NameHash.withHashedBytes(of: name) { addTimer($0, $1, hash: $2, value, weight: 1 / sampleRate) }
    }

    public mutating func addSetMember(_ name: String, _ member: String) {
        NameHash.withHashedBytes(of: name) { addSetMember($0, $1, hash: $2, member: SetMember(member)) }
    }

    /// Makes the set known without a member (a set restored after a restart: `count 0`).
    public mutating func declareSet(_ name: String) {
        NameHash.withHashedBytes(of: name) { addSetMember($0, $1, hash: $2, member: nil) }
    }

    public func counter(_ name: String) -> Double? { counterTable.value(name) }

    public func gauge(_ name: String) -> Double? { gaugeTable.value(name) }

    /// A timer's values in arrival order and its sample-scaled count.
    public func timer(_ name: String) -> (values: [Double], count: Double)? { timerTable.timer(name) }

    public func setMembers(_ name: String) -> Set<String>? { setTable.members(name) }

    /// Counters in statsd's insertion order.
    public var counters: [(name: String, value: Double)] { counterTable.all }

    /// Gauges in insertion order, deltas resolved against no prior value.
    public var gauges: [(name: String, value: Double)] { gaugeTable.all }

    /// Timers in insertion order with values in arrival order.
    public var timers: [(name: String, values: [Double], count: Double)] { timerTable.all }

    /// Sets in insertion order.
    public var sets: [(name: String, members: Set<String>)] { setTable.all }

    // MARK: - Merge

    /// Adds another table's interval into this one: counters add, timer samples append, gauge
    /// samples apply in order on top of this table's value, set members join, and the other's
    /// internal counts are folded into this table's `<prefixStats>.*` counters. With
    /// deleteGauges, every gauge the other table touched gets its TTL reset to gaugesMaxTTL.
    public mutating func merge(_ other: AggregationTable, settings: StatsdSettings) {
        var refused = counterTable.merge(other.counterTable, room: maxKeys - keyCount)
        refused += timerTable.merge(other.timerTable, room: maxKeys - keyCount)
        let ttl: Int? = settings.effectiveDeleteGauges ? settings.effectiveGaugesMaxTTL : nil
        refused += gaugeTable.merge(other.gaugeTable, ttl: ttl, room: maxKeys - keyCount)
        refused += setTable.merge(other.setTable, room: maxKeys - keyCount)
        internalCounts[InternalCounter.keysOverLimit.rawValue] += refused
        // DogStatsD's stamped samples and events.
        internalCounts[InternalCounter.keysOverLimit.rawValue] += extras.merge(other.extras)
        // Internal counts (this table's own limit drops above are counted too).
        var counts = other.internalCounts
        counts[InternalCounter.keysOverLimit.rawValue] += internalCounts[InternalCounter.keysOverLimit.rawValue]
        internalCounts[InternalCounter.keysOverLimit.rawValue] = 0
        foldInternalCounts(counts, prefixStats: settings.prefixStats)
        if let seen = other.lastMessageSeen { lastMessageSeen = max(lastMessageSeen ?? seen, seen) }
        for sample in other.badLineSamples where badLineSamples.count < AggregationTable.badLineSampleLimit {
            badLineSamples.append(sample)
        }
    }

    /// Folds this table's own pending internal counts into its counters (when lines were parsed
    /// straight into the long-lived table).
    public mutating func foldInternalCounts(prefixStats: String) {
        let counts = internalCounts
        for i in internalCounts.indices { internalCounts[i] = 0 }
        foldInternalCounts(counts, prefixStats: prefixStats)
    }

    /// statsd increments its own counters without creating them: a reference counter deleted
    /// from the admin interface becomes NaN (`undefined + 1`) until the next flush resets it.
    /// Stoker's own counters are created at 0 on first use.
    private mutating func foldInternalCounts(_ counts: [Int], prefixStats: String) {
        for counter in InternalCounter.allCases where counts[counter.rawValue] > 0 {
            let amount = Double(counts[counter.rawValue])
            NameHash.withHashedBytes(of: counter.key(prefixStats: prefixStats)) { p, n, h in
                counterTable.addInternal(p, n, hash: h, amount, created: counter.existsFromStartup ? .nan : amount)
            }
        }
    }

    // MARK: - Between flushes

    /// statsd's clear_metrics (docs/statsd.md §3.5), run after a flush: counters go to 0 (or are
    /// deleted, except keys containing `packets_received`, `metrics_received` or
    /// `bad_lines_seen`), timers and sets are emptied (or deleted), and with deleteGauges every
    /// gauge TTL drops by one and gauges below 1 are deleted.
    public mutating func resetAfterFlush(settings: StatsdSettings) {
        counterTable.reset(deleting: settings.effectiveDeleteCounters)
        timerTable.reset(deleting: settings.effectiveDeleteTimers)
        setTable.reset(deleting: settings.effectiveDeleteSets)
        if settings.effectiveDeleteGauges { gaugeTable.expire() }
        badLineSamples.removeAll(keepingCapacity: true)
        extras.removeAll()
    }

    // MARK: - Deletion (admin)

    /// Deletes the counters whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeCounters(where predicate: (String) -> Bool) -> [String] { counterTable.remove(where: predicate) }

    /// Deletes the timers whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeTimers(where predicate: (String) -> Bool) -> [String] { timerTable.remove(where: predicate) }

    /// Deletes the gauges whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeGauges(where predicate: (String) -> Bool) -> [String] { gaugeTable.remove(where: predicate) }

    /// Deletes the sets whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeSets(where predicate: (String) -> Bool) -> [String] { setTable.remove(where: predicate) }
}
