/// What a DogStatsD client sends besides samples to aggregate (docs/dogstatsd.md): counters
/// and gauges stamped by the client (`|T`), stored as their own points at that time, and
/// events. Collected per interval next to the aggregation table and handed on at the flush.
public struct DogStatsdExtras: Sendable, Equatable {
    /// A counter or gauge sample with the client's timestamp.
    public struct StampedSample: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case counter, gauge }
        public var kind: Kind
        /// The key as the aggregation table would hold it (tags merged, sanitised).
        public var key: String
        /// A counter's value already divided by its sample rate.
        public var value: Double
        /// Unix seconds.
        public var timestamp: Int
    }

    public private(set) var stamped: [StampedSample] = []
    public private(set) var events: [StatsdEvent] = []
    /// Stamped samples and events kept per interval at most; further ones are dropped and
    /// counted (`keys_over_limit`), so a flood cannot grow the table without bound.
    public var limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    var isEmpty: Bool { stamped.isEmpty && events.isEmpty }

    /// False when the interval is full.
    mutating func add(_ sample: StampedSample) -> Bool {
        guard stamped.count < limit else { return false }
        stamped.append(sample)
        return true
    }

    mutating func add(_ event: StatsdEvent) -> Bool {
        guard events.count < limit else { return false }
        events.append(event)
        return true
    }

    /// Appends another interval's extras (within the limit); returns how many did not fit.
    mutating func merge(_ other: DogStatsdExtras) -> Int {
        var dropped = 0
        for sample in other.stamped where !add(sample) { dropped += 1 }
        for event in other.events where !add(event) { dropped += 1 }
        return dropped
    }

    mutating func removeAll() {
        stamped.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
    }

    /// Takes the interval's events out, for posting.
    public mutating func takeEvents() -> [StatsdEvent] {
        defer { events.removeAll() }
        return events
    }
}
