import CarbonCache
import CarbonConfig
import CarbonWriter
import Logging
import ServerRuntime
import Synchronization

/// carbon's common receive path (docs/carbon.md §5), shared by every receiver: white/blacklist,
/// NaN values, `-1` timestamps, MIN_TIMESTAMP_RESOLUTION, tag normalisation, empty name
/// components collapsed (`EmptyComponents`), then the cache.
public final class MetricIntake: Sendable {
    public let cache: MetricCache
    public let statistics: ReceiverStatistics
    public let log: RateLimitedLogger
    /// MIN_TIMESTAMP_RESOLUTION: 0 keeps float timestamps.
    public let timestampResolution: Int
    private let useFilters: Bool
    private let filters: Mutex<MetricFilters>
    /// Where every stored point is appended too (WAL_DIR), if anywhere.
    let writeAheadLog: WriteAheadLog?
    /// quotas.conf's counts: asked about every point while a rule limits throughput.
    public let quotas: QuotaLedger

    public init(cache: MetricCache, statistics: ReceiverStatistics = .init(), timestampResolution: Int,
                filters: MetricFilters?, logger: Logger, writeAheadLog: WriteAheadLog? = nil, quotas: QuotaLedger = QuotaLedger()) {
        self.cache = cache
        self.quotas = quotas
        self.writeAheadLog = writeAheadLog
        self.statistics = statistics
        self.timestampResolution = timestampResolution
        self.useFilters = filters != nil
        self.filters = Mutex(filters ?? .allowAll)
        self.log = RateLimitedLogger(logger: logger)
    }

    /// New white/blacklists (SIGHUP).
    public func replaceFilters(_ newFilters: MetricFilters) {
        filters.withLock { $0 = newFilters }
    }

    /// What happened to a datapoint.
    public enum Outcome: Equatable, Sendable {
        case stored
        case filtered
        case nanValue
        case invalidTimestamp
        case cacheFull
        /// Over a quotas.conf throughput limit (docs/quotas.md).
        case overQuota
    }

    /// Takes one datapoint. `now` is read only when the timestamp says "now" (-1). `overflow`
    /// is what a full cache does with it (receivers that cannot pause their sender pass .drop).
    @discardableResult
    public func accept(name: String, value: Double, timestamp: Double, overflow: MetricCache.Overflow? = nil,
                       now: () -> Double = wallClockSeconds) -> Outcome {
        if useFilters {
            switch filters.withLock({ $0.verdict(for: name) }) {
            case .allowed: break
            case .blacklisted:
                statistics.blacklistMatches.add(1, ordering: .relaxed)
                return .filtered
            case .notWhitelisted:
                statistics.whitelistRejects.add(1, ordering: .relaxed)
                return .filtered
            }
        }
        let point: CachedPoint
        switch prepare(value: value, timestamp: timestamp, now: now) {
        case let .success(prepared): point = prepared
        case let .failure(refusal): return refusal.outcome
        }
        statistics.metricsReceived.add(1, ordering: .relaxed)
        var metric = MetricName.normalize(name)
        let collapsed = EmptyComponents.collapsed(metric)
        if collapsed != metric {
            statistics.namesCollapsed.add(1, ordering: .relaxed)
            log.log(.info, kind: "metric_name_collapsed",
                    "event=metric_name_collapsed metric=\(quoted(metric)) stored_as=\(quoted(collapsed))")
            metric = collapsed
        }
        if quotas.limitsThroughput, let refusal = quotas.admitPoint(metric, now: monotonicSeconds()) {
            log.quotaRefused(rule: refusal.rule, namespace: refusal.namespace, limit: refusal.limit.rawValue, metric: metric)
            return .overQuota
        }
        let outcome = cache.store(metric, point, overflow: overflow)
        if outcome == .dropped { return .cacheFull }
        // After the store: a logged point is in the cache before its segment closes.
        writeAheadLog?.append(name: metric, point: point)
        return .stored
    }

    /// Why a datapoint's value or timestamp was refused.
    enum Refusal: Error {
        case nanValue, invalidTimestamp
        var outcome: Outcome { self == .nanValue ? .nanValue : .invalidTimestamp }
    }

    /// The cached point for a value and timestamp: NaN refused (counted), `-1` = now,
    /// MIN_TIMESTAMP_RESOLUTION applied.
    @inline(__always)
    func prepare(value: Double, timestamp: Double, now: () -> Double = wallClockSeconds) -> Result<CachedPoint, Refusal> {
        if value.isNaN {
            statistics.nanValues.add(1, ordering: .relaxed)
            return .failure(.nanValue)
        }
        // carbon's int(ts) raises on inf/NaN and kills the connection; here only the point goes.
        guard timestamp.isFinite, abs(timestamp) < 1e15 else { return .failure(.invalidTimestamp) }
        var ts = timestamp
        if ts.rounded(.towardZero) == -1 { ts = now() }
        if timestampResolution > 0 {
            let whole = Int(ts.rounded(.towardZero))
            ts = Double(floorDivide(whole, timestampResolution) * timestampResolution)
        }
        return .success(CachedPoint(timestamp: ts, value: value))
    }

    /// Whether a receiver may store a plain name straight from its bytes (`accept(batch:)`):
    /// only when no white/blacklist or throughput quota has to see the name as a string.
    var acceptsBatches: Bool { !useFilters && !quotas.limitsThroughput }

    /// Stores many named points at once, as statsd's flush hands them over: names stored as
    /// received go by their bytes in batches of `chunk` points grouped by shard, as a receiver's
    /// socket read does; any other name (tags, empty components) is stored alone, after the
    /// batch so far, keeping the order. While a filter or a throughput quota must see every
    /// name, all go one by one through `accept(name:)`.
    public func accept<S: Sequence>(_ points: S, overflow: MetricCache.Overflow? = nil, chunk: Int = 16_384,
                                    fields: (S.Element) -> (name: String, value: Double, timestamp: Double)) {
        guard acceptsBatches else {
            for element in points {
                let point = fields(element)
                accept(name: point.name, value: point.value, timestamp: point.timestamp, overflow: overflow)
            }
            return
        }
        var pending = NamedPoints()
        var batch = CacheBatch()
        for element in points {
            let point = fields(element)
            // A NaN is counted by `prepare`; statsd's flush times are always valid.
            guard case let .success(prepared) = prepare(value: point.value, timestamp: point.timestamp) else { continue }
            if !pending.append(point.name, prepared) {
                pending.store(into: &batch, intake: self, overflow: overflow)
                accept(name: point.name, value: point.value, timestamp: point.timestamp, overflow: overflow)
            } else if pending.count >= chunk {
                pending.store(into: &batch, intake: self, overflow: overflow)
            }
        }
        pending.store(into: &batch, intake: self, overflow: overflow)
    }

    /// Names and prepared points waiting to go into the cache as one batch: the names' bytes in
    /// one arena, so a chunk costs a few allocations, not one per name.
    struct NamedPoints {
        private var arena: [UInt8] = []
        private var spans: [(start: Int, count: Int)] = []
        private var points: [CachedPoint] = []

        var count: Int { spans.count }

        /// Adds a name stored as received; false (nothing added) for any other.
        mutating func append(_ name: String, _ point: CachedPoint) -> Bool {
            var name = name
            return name.withUTF8 { bytes in
                guard !bytes.isEmpty, MetricName.isStoredAsReceived(UnsafeRawBufferPointer(bytes)) else { return false }
                spans.append((arena.count, bytes.count))
                arena.append(contentsOf: bytes)
                points.append(point)
                return true
            }
        }

        /// Stores what is waiting through `intake`, then forgets it.
        mutating func store(into batch: inout CacheBatch, intake: MetricIntake, overflow: MetricCache.Overflow?) {
            guard !spans.isEmpty else { return }
            arena.withUnsafeBytes { raw in
                for (i, span) in spans.enumerated() {
                    batch.append(name: raw.baseAddress! + span.start, count: span.count, point: points[i])
                }
                intake.accept(batch: &batch, overflow: overflow)
            }
            arena.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            points.removeAll(keepingCapacity: true)
        }
    }

    /// Stores a batch of prepared points whose names are stored as received
    /// (`MetricName.isStoredAsReceived`) and need no filtering; empties the batch.
    func accept(batch: inout CacheBatch, overflow: MetricCache.Overflow? = nil) {
        guard !batch.isEmpty else { return }
        statistics.metricsReceived.add(batch.count, ordering: .relaxed)
        _ = cache.store(&batch, overflow: overflow)
        writeAheadLog?.append(batch)
        batch.removeAll()
    }
}

@inline(__always)
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
