import NameBytes

/// The counters, timers, gauges and sets of one interval, keyed by name bytes. Each reader
/// thread parses into its own table; at flush the readers' tables are merged into the
/// long-lived table that `StatsdFlushMaths` reads and that `resetAfterFlush` prepares for the
/// next interval (statsd's clear_metrics, docs/statsd.md §3.5). The four types are separate maps, each keeping statsd's
/// first-insertion order.
public struct AggregationTable: Sendable {
    /// Distinct keys (four types together) this table accepts; further new keys are dropped
    /// and counted as `keysOverLimit`.
    public var maxKeys: Int

    var counterNames = NameIndex()
    var counterValues: [Double] = []

    var timerNames = NameIndex()
    /// Per timer: the sum of 1/sampleRate over its samples (statsd's `timer_counters`).
    var timerSampleCounts: [Double] = []
    /// Timer samples in arrival order, as (timer id, value) pairs.
    var timerSampleIDs: [Int32] = []
    var timerSampleValues: [Double] = []

    var gaugeNames = NameIndex()
    var gaugeSlots: [GaugeSlot] = []

    var setNames = NameIndex()
    var setMembers: [Set<SetMember>] = []

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
    public var keyCount: Int { counterNames.count + timerNames.count + gaugeNames.count + setNames.count }

    /// An internal count not yet folded into its counter.
    public func internalCount(_ counter: InternalCounter) -> Int { internalCounts[counter.rawValue] }

    /// Adds to an internal count (e.g. `.udpDropped` from SO_RXQ_OVFL).
    public mutating func addInternal(_ counter: InternalCounter, _ amount: Int = 1) {
        internalCounts[counter.rawValue] += amount
    }

    /// Empties the table for the next interval, keeping its allocations.
    public mutating func removeAll() {
        counterNames.removeAll(); counterValues.removeAll(keepingCapacity: true)
        timerNames.removeAll(); timerSampleCounts.removeAll(keepingCapacity: true)
        timerSampleIDs.removeAll(keepingCapacity: true); timerSampleValues.removeAll(keepingCapacity: true)
        gaugeNames.removeAll(); gaugeSlots.removeAll(keepingCapacity: true)
        setNames.removeAll(); setMembers.removeAll(keepingCapacity: true)
        for i in internalCounts.indices { internalCounts[i] = 0 }
        lastMessageSeen = nil
        badLineSamples.removeAll(keepingCapacity: true)
        extras.removeAll()
    }

    // MARK: - Hot path (name bytes already hashed)

    @inline(__always)
    private mutating func admitNewKey() -> Bool {
        if keyCount >= maxKeys {
            internalCounts[InternalCounter.keysOverLimit.rawValue] += 1
            return false
        }
        return true
    }

    /// statsd: `if (!counters[key]) counters[key] = 0; counters[key] += value`.
    @inline(__always)
    mutating func addCounter(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double) {
        if let id = counterNames.find(p, n, hash: hash) {
            let current = counterValues[id]
            counterValues[id] = (current == 0 || current.isNaN ? 0 : current) + value
        } else if admitNewKey() {
            _ = counterNames.insert(p, n, hash: hash)
            counterValues.append(0 + value)
        }
    }

    @inline(__always)
    mutating func addTimer(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, weight: Double) {
        let id: Int
        if let found = timerNames.find(p, n, hash: hash) {
            id = found
        } else {
            guard admitNewKey() else { return }
            id = timerNames.insert(p, n, hash: hash)
            timerSampleCounts.append(0)
        }
        timerSampleCounts[id] += weight
        timerSampleIDs.append(Int32(id))
        timerSampleValues.append(value)
    }

    @inline(__always)
    mutating func applyGauge(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, _ value: Double, signed: Bool) {
        if let id = gaugeNames.find(p, n, hash: hash) {
            gaugeSlots[id].apply(value, signed: signed)
        } else if admitNewKey() {
            _ = gaugeNames.insert(p, n, hash: hash)
            gaugeSlots.append(GaugeSlot(sample: value, signed: signed))
        }
    }

    /// Inserts a set member; `member == nil` creates the set without a member (statsd ignores
    /// the member `__proto__`).
    @inline(__always)
    mutating func addSetMember(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64, member: SetMember?) {
        let id: Int
        if let found = setNames.find(p, n, hash: hash) {
            id = found
        } else {
            guard admitNewKey() else { return }
            id = setNames.insert(p, n, hash: hash)
            setMembers.append([])
        }
        if let member { setMembers[id].insert(member) }
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

    private static func withName<R>(_ name: String, _ body: (UnsafeRawPointer, Int, UInt64) -> R) -> R {
        var copy = name
        return copy.withUTF8 { buffer in
            let p = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return body(p, buffer.count, NameHash.hash(p, buffer.count))
        }
    }

    /// Adds to a counter as a sample would.
    public mutating func addCounter(_ name: String, _ value: Double) {
        AggregationTable.withName(name) { addCounter($0, $1, hash: $2, value) }
    }

    /// Sets a counter to a value, creating it if needed (statsd's startup zeroes, resets).
    public mutating func setCounter(_ name: String, _ value: Double) {
        AggregationTable.withName(name) { p, n, h in
            if let id = counterNames.find(p, n, hash: h) { counterValues[id] = value }
            else { _ = counterNames.insert(p, n, hash: h); counterValues.append(value) }
        }
    }

    /// Sets a gauge without touching its TTL (statsd's `timestamp_lag`).
    public mutating func setGauge(_ name: String, _ value: Double) {
        AggregationTable.withName(name) { p, n, h in
            if let id = gaugeNames.find(p, n, hash: h) {
                gaugeSlots[id].startsFromPrior = false
                gaugeSlots[id].value = value
                gaugeSlots[id].laterDeltas = []
            } else {
                _ = gaugeNames.insert(p, n, hash: h)
                gaugeSlots.append(GaugeSlot(absolute: value, ttl: nil))
            }
        }
    }

    /// A sample applied to a gauge as a `|g` line would (TTL untouched).
    public mutating func applyGauge(_ name: String, _ value: Double, signed: Bool) {
        AggregationTable.withName(name) { applyGauge($0, $1, hash: $2, value, signed: signed) }
    }

    public mutating func addTimer(_ name: String, _ value: Double, sampleRate: Double = 1) {
        AggregationTable.withName(name) { addTimer($0, $1, hash: $2, value, weight: 1 / sampleRate) }
    }

    public mutating func addSetMember(_ name: String, _ member: String) {
        AggregationTable.withName(name) { addSetMember($0, $1, hash: $2, member: SetMember(member)) }
    }

    /// Makes the set known without a member (a set restored after a restart: `count 0`).
    public mutating func declareSet(_ name: String) {
        AggregationTable.withName(name) { addSetMember($0, $1, hash: $2, member: nil) }
    }

    public func counter(_ name: String) -> Double? { counterNames.find(name).map { counterValues[$0] } }

    public func gauge(_ name: String) -> Double? {
        gaugeNames.find(name).map { gaugeSlots[$0].resolved(prior: nil) }
    }

    /// A timer's values in arrival order and its sample-scaled count.
    public func timer(_ name: String) -> (values: [Double], count: Double)? {
        guard let id = timerNames.find(name) else { return nil }
        var values: [Double] = []
        for (i, sid) in timerSampleIDs.enumerated() where Int(sid) == id { values.append(timerSampleValues[i]) }
        return (values, timerSampleCounts[id])
    }

    public func setMembers(_ name: String) -> Set<String>? {
        setNames.find(name).map { Set(setMembers[$0].map(\.text)) }
    }

    /// Counters in statsd's insertion order.
    public var counters: [(name: String, value: Double)] {
        (0..<counterNames.count).map { (counterNames.name($0), counterValues[$0]) }
    }

    /// Gauges in insertion order, deltas resolved against no prior value.
    public var gauges: [(name: String, value: Double)] {
        (0..<gaugeNames.count).map { (gaugeNames.name($0), gaugeSlots[$0].resolved(prior: nil)) }
    }

    /// Timers in insertion order with values in arrival order.
    public var timers: [(name: String, values: [Double], count: Double)] {
        let grouped = groupedTimerValues()
        return (0..<timerNames.count).map { id in
            (timerNames.name(id), Array(grouped.values[grouped.offsets[id]..<grouped.offsets[id + 1]]), timerSampleCounts[id])
        }
    }

    /// Sets in insertion order.
    public var sets: [(name: String, members: Set<String>)] {
        (0..<setNames.count).map { (setNames.name($0), Set(setMembers[$0].map(\.text))) }
    }

    /// All timer values grouped by timer id (stable, so arrival order within a timer):
    /// timer `id` owns `values[offsets[id] ..< offsets[id + 1]]`.
    func groupedTimerValues() -> (values: [Double], offsets: [Int]) {
        let count = timerNames.count
        var offsets = [Int](repeating: 0, count: count + 1)
        for id in timerSampleIDs { offsets[Int(id) + 1] += 1 }
        for i in 0..<count { offsets[i + 1] += offsets[i] }
        var cursor = offsets
        var values = [Double](repeating: 0, count: timerSampleValues.count)
        for (i, id) in timerSampleIDs.enumerated() {
            values[cursor[Int(id)]] = timerSampleValues[i]
            cursor[Int(id)] += 1
        }
        return (values, offsets)
    }

    // MARK: - Merge

    /// Adds another table's interval into this one: counters add, timer samples append, gauge
    /// samples apply in order on top of this table's value, set members join, and the other's
    /// internal counts are folded into this table's `<prefixStats>.*` counters. With
    /// deleteGauges, every gauge the other table touched gets its TTL reset to gaugesMaxTTL.
    public mutating func merge(_ other: AggregationTable, settings: StatsdSettings) {
        // Counters.
        for id in 0..<other.counterNames.count {
            withBytes(other.counterNames.nameBytes(id)) { p, n, h in
                addCounter(p, n, hash: h, other.counterValues[id])
            }
        }
        // Timers.
        var timerMap = [Int](repeating: -1, count: other.timerNames.count)
        for id in 0..<other.timerNames.count {
            withBytes(other.timerNames.nameBytes(id)) { p, n, h in
                if let found = timerNames.find(p, n, hash: h) {
                    timerMap[id] = found
                } else if admitNewKey() {
                    timerMap[id] = timerNames.insert(p, n, hash: h)
                    timerSampleCounts.append(0)
                }
            }
            if timerMap[id] >= 0 { timerSampleCounts[timerMap[id]] += other.timerSampleCounts[id] }
        }
        for (i, sid) in other.timerSampleIDs.enumerated() {
            let mapped = timerMap[Int(sid)]
            if mapped >= 0 {
                timerSampleIDs.append(Int32(mapped))
                timerSampleValues.append(other.timerSampleValues[i])
            }
        }
        // Gauges.
        let ttl: Int? = settings.effectiveDeleteGauges ? settings.effectiveGaugesMaxTTL : nil
        for id in 0..<other.gaugeNames.count {
            let slot = other.gaugeSlots[id]
            withBytes(other.gaugeNames.nameBytes(id)) { p, n, h in
                if let found = gaugeNames.find(p, n, hash: h) {
                    let prior = gaugeSlots[found].resolved(prior: nil)
                    gaugeSlots[found].startsFromPrior = false
                    gaugeSlots[found].value = slot.resolved(prior: prior)
                    gaugeSlots[found].laterDeltas = []
                    if let ttl { gaugeSlots[found].ttl = ttl }
                } else if admitNewKey() {
                    _ = gaugeNames.insert(p, n, hash: h)
                    gaugeSlots.append(GaugeSlot(absolute: slot.resolved(prior: nil), ttl: ttl))
                }
            }
        }
        // Sets.
        for id in 0..<other.setNames.count {
            withBytes(other.setNames.nameBytes(id)) { p, n, h in
                if let found = setNames.find(p, n, hash: h) {
                    setMembers[found].formUnion(other.setMembers[id])
                } else if admitNewKey() {
                    _ = setNames.insert(p, n, hash: h)
                    setMembers.append(other.setMembers[id])
                }
            }
        }
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
            AggregationTable.withName(counter.key(prefixStats: prefixStats)) { p, n, h in
                if let id = counterNames.find(p, n, hash: h) {
                    counterValues[id] += amount
                } else {
                    _ = counterNames.insert(p, n, hash: h)
                    counterValues.append(counter.existsFromStartup ? .nan : amount)
                }
            }
        }
    }

    private func withBytes(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeRawPointer, Int, UInt64) -> Void) {
        bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            body(p, raw.count, NameHash.hash(p, raw.count))
        }
    }

    // MARK: - Between flushes

    /// statsd's clear_metrics (docs/statsd.md §3.5), run after a flush: counters go to 0 (or are
    /// deleted, except keys containing `packets_received`, `metrics_received` or
    /// `bad_lines_seen`), timers and sets are emptied (or deleted), and with deleteGauges every
    /// gauge TTL drops by one and gauges below 1 are deleted.
    public mutating func resetAfterFlush(settings: StatsdSettings) {
        if settings.effectiveDeleteCounters {
            let keep = (0..<counterNames.count).map { id in
                let name = counterNames.name(id)
                return name.contains("packets_received") || name.contains("metrics_received") || name.contains("bad_lines_seen")
            }
            _ = counterNames.compact { keep[$0] }
            counterValues = [Double](repeating: 0, count: counterNames.count)
        } else {
            for i in counterValues.indices { counterValues[i] = 0 }
        }
        timerSampleIDs.removeAll(keepingCapacity: true)
        timerSampleValues.removeAll(keepingCapacity: true)
        if settings.effectiveDeleteTimers {
            timerNames.removeAll()
            timerSampleCounts.removeAll(keepingCapacity: true)
        } else {
            for i in timerSampleCounts.indices { timerSampleCounts[i] = 0 }
        }
        if settings.effectiveDeleteSets {
            setNames.removeAll()
            setMembers.removeAll(keepingCapacity: true)
        } else {
            for i in setMembers.indices { setMembers[i].removeAll() }
        }
        if settings.effectiveDeleteGauges {
            var keep = [Bool](repeating: true, count: gaugeNames.count)
            for id in gaugeSlots.indices {
                guard let ttl = gaugeSlots[id].ttl else { continue }
                gaugeSlots[id].ttl = ttl - 1
                if ttl - 1 < 1 { keep[id] = false }
            }
            if keep.contains(false) { removeGauges { keep[$0] } }
        }
        badLineSamples.removeAll(keepingCapacity: true)
        extras.removeAll()
    }

    // MARK: - Deletion (admin)

    /// Deletes the counters whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeCounters(where predicate: (String) -> Bool) -> [String] {
        let doomed = (0..<counterNames.count).filter { predicate(counterNames.name($0)) }
        guard !doomed.isEmpty else { return [] }
        let names = doomed.map { counterNames.name($0) }
        let gone = Set(doomed)
        let mapping = counterNames.compact { !gone.contains($0) }
        var values = [Double](repeating: 0, count: counterNames.count)
        for (old, new) in mapping.enumerated() where new >= 0 { values[new] = counterValues[old] }
        counterValues = values
        return names
    }

    /// Deletes the timers whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeTimers(where predicate: (String) -> Bool) -> [String] {
        let doomed = (0..<timerNames.count).filter { predicate(timerNames.name($0)) }
        guard !doomed.isEmpty else { return [] }
        let names = doomed.map { timerNames.name($0) }
        let gone = Set(doomed)
        let mapping = timerNames.compact { !gone.contains($0) }
        var counts = [Double](repeating: 0, count: timerNames.count)
        for (old, new) in mapping.enumerated() where new >= 0 { counts[new] = timerSampleCounts[old] }
        timerSampleCounts = counts
        var ids: [Int32] = [], values: [Double] = []
        for (i, sid) in timerSampleIDs.enumerated() where mapping[Int(sid)] >= 0 {
            ids.append(Int32(mapping[Int(sid)]))
            values.append(timerSampleValues[i])
        }
        timerSampleIDs = ids
        timerSampleValues = values
        return names
    }

    /// Deletes the gauges whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeGauges(where predicate: (String) -> Bool) -> [String] {
        let doomed = (0..<gaugeNames.count).filter { predicate(gaugeNames.name($0)) }
        guard !doomed.isEmpty else { return [] }
        let names = doomed.map { gaugeNames.name($0) }
        let gone = Set(doomed)
        removeGauges { !gone.contains($0) }
        return names
    }

    private mutating func removeGauges(keeping keep: (Int) -> Bool) {
        let mapping = gaugeNames.compact(keep: keep)
        var slots: [GaugeSlot] = []
        slots.reserveCapacity(gaugeNames.count)
        for (old, new) in mapping.enumerated() where new >= 0 { slots.append(gaugeSlots[old]) }
        gaugeSlots = slots
    }

    /// Deletes the sets whose name satisfies `predicate`; returns their names in order.
    @discardableResult
    public mutating func removeSets(where predicate: (String) -> Bool) -> [String] {
        let doomed = (0..<setNames.count).filter { predicate(setNames.name($0)) }
        guard !doomed.isEmpty else { return [] }
        let names = doomed.map { setNames.name($0) }
        let gone = Set(doomed)
        let mapping = setNames.compact { !gone.contains($0) }
        var members: [Set<SetMember>] = []
        for (old, new) in mapping.enumerated() where new >= 0 { members.append(setMembers[old]) }
        setMembers = members
        return names
    }
}
