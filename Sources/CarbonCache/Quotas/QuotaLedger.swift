import CarbonConfig
import Synchronization

/// What quotas.conf's rules count (docs/quotas.md): per rule and namespace, the series known
/// (the files counted at start plus the series created since) and the points and new series
/// of the current minute; per rule, what was refused. Receivers ask it about points (when a
/// rule limits throughput), the writers about new series before creating a file.
///
/// One lock for all of it: a receiver takes it once per point only when a throughput rule
/// exists, a writer once per new series.
public final class QuotaLedger: Sendable {
    /// The limit a refusal hit.
    public enum Limit: String, Sendable {
        case metrics
        case throughput
        case newSeriesPerMinute = "new-series-per-minute"
    }

    /// Why a point or a new series is refused: the first enforcing rule at its limit.
    public struct Refusal: Sendable, Equatable {
        public let rule: String
        public let namespace: String
        public let limit: Limit
    }

    /// One rule's figures, for the manhole, /metrics and self-instrumentation.
    public struct RuleReport: Sendable {
        public let rule: QuotaRule
        /// Points dropped by this rule (with dropping-policy none: points that would have been).
        public var refusedPoints: Int
        /// Creates of new series refused (with none: that would have been); a refused series
        /// is asked about again at each of its writes.
        public var refusedCreates: Int
        /// Namespaces seen, and series counted in all of them.
        public var namespaces: Int
        public var series: Int
        /// The namespaces with the most series, most first (at most 20).
        public var largest: [(namespace: String, series: Int)]

    }

    struct Usage {
        var series = 0
        var minuteStart = -Double.infinity
        var points = 0
        var newSeries = 0

        /// Starts a new minute when the last one is over.
        mutating func roll(now: Double) {
            guard now - minuteStart >= 60 else { return }
            minuteStart = now
            points = 0
            newSeries = 0
        }
    }

    struct RuleState {
        var usage: [String: Usage] = [:]
        var refusedPoints = 0
        var refusedCreates = 0
    }

    struct State {
        var rules: QuotaRules
        var perRule: [RuleState]
        /// Bumped by `replace`: a count of existing files made for older rules is ignored.
        var generation = 0

        init(rules: QuotaRules) {
            self.rules = rules
            perRule = Array(repeating: RuleState(), count: rules.rules.count)
        }
    }

    private let state: Mutex<State>
    private let throughputLimited: Atomic<Bool>

    public init(rules: QuotaRules = .none) {
        state = Mutex(State(rules: rules))
        throughputLimited = Atomic(rules.limitsThroughput)
    }

    /// The rules in force.
    public var rules: QuotaRules { state.withLock { $0.rules } }

    /// Whether receivers must show every point (`admitPoint`): a rule limits throughput.
    public var limitsThroughput: Bool { throughputLimited.load(ordering: .relaxed) }

    /// New rules (SIGHUP): every count starts again; returns the generation a new count of
    /// the existing files must give `countExisting`.
    @discardableResult
    public func replace(rules: QuotaRules) -> Int {
        state.withLock { state in
            let generation = state.generation + 1
            state = State(rules: rules)
            state.generation = generation
            throughputLimited.store(rules.limitsThroughput, ordering: .relaxed)
            return generation
        }
    }

    /// The current generation (for a count of the existing files started now).
    public var generation: Int { state.withLock { $0.generation } }

    /// A point for `metric` at `now` (monotonic seconds): nil when it may enter the cache (and
    /// it is counted in its namespaces' minute), else the refusal that drops it.
    public func admitPoint(_ metric: String, now: Double) -> Refusal? {
        state.withLock { state -> Refusal? in
            let matched = state.rules.namespaces(of: metric) { $0.throughputPerMinute != nil }
            var refusal: Refusal?
            for (index, namespace) in matched {
                let rule = state.rules.rules[index]
                state.perRule[index].usage[namespace, default: Usage()].roll(now: now)
                guard let limit = rule.throughputPerMinute, state.perRule[index].usage[namespace]!.points >= limit else { continue }
                state.perRule[index].refusedPoints += 1
                if rule.droppingPolicy == .new, refusal == nil {
                    refusal = Refusal(rule: rule.section, namespace: namespace, limit: .throughput)
                }
            }
            guard refusal == nil else { return refusal }
            for (index, namespace) in matched { state.perRule[index].usage[namespace]!.points += 1 }
            return nil
        }
    }

    /// A series about to be created (no file yet) at `now`: nil when admitted, and then counted
    /// in every namespace it falls under; else the refusal.
    public func admitNewSeries(_ metric: String, now: Double) -> Refusal? {
        state.withLock { state -> Refusal? in
            let matched = state.rules.namespaces(of: metric)
            var refusal: Refusal?
            for (index, namespace) in matched {
                let rule = state.rules.rules[index]
                state.perRule[index].usage[namespace, default: Usage()].roll(now: now)
                let usage = state.perRule[index].usage[namespace]!
                let limit: Limit? = rule.metrics.map { usage.series >= $0 } == true ? .metrics
                    : rule.newSeriesPerMinute.map { usage.newSeries >= $0 } == true ? .newSeriesPerMinute : nil
                guard let limit else { continue }
                state.perRule[index].refusedCreates += 1
                if rule.droppingPolicy == .new, refusal == nil {
                    refusal = Refusal(rule: rule.section, namespace: namespace, limit: limit)
                }
            }
            guard refusal == nil else { return refusal }
            for (index, namespace) in matched {
                state.perRule[index].usage[namespace]!.series += 1
                state.perRule[index].usage[namespace]!.newSeries += 1
            }
            return nil
        }
    }

    /// A series admitted by `admitNewSeries` whose file was not created after all (no create
    /// token yet, a failed create): no longer counted.
    public func releaseSeries(_ metric: String) {
        state.withLock { state in
            for (index, namespace) in state.rules.namespaces(of: metric) {
                guard var usage = state.perRule[index].usage[namespace] else { continue }
                usage.series = max(0, usage.series - 1)
                usage.newSeries = max(0, usage.newSeries - 1)
                state.perRule[index].usage[namespace] = usage
            }
        }
    }

    /// Series found on disk by a count started at `generation` (ignored once the rules changed).
    public func countExisting(_ metrics: [String], generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            for metric in metrics {
                for (index, namespace) in state.rules.namespaces(of: metric) {
                    state.perRule[index].usage[namespace, default: Usage()].series += 1
                }
            }
        }
    }

    /// The cached points of a refused series, dropped by the writer: counted on its rule.
    public func countDroppedPoints(_ count: Int, refusal: Refusal) {
        state.withLock { state in
            guard let index = state.rules.rules.firstIndex(where: { $0.section == refusal.rule }) else { return }
            state.perRule[index].refusedPoints += count
        }
    }

    /// Forgets namespaces with no series whose minute ended (a burst of names that were all
    /// refused must not stay in memory); returns how many went.
    @discardableResult
    public func prune(now: Double) -> Int {
        state.withLock { state in
            var removed = 0
            for index in state.perRule.indices {
                let before = state.perRule[index].usage.count
                state.perRule[index].usage = state.perRule[index].usage.filter { $0.value.series > 0 || now - $0.value.minuteStart < 60 }
                removed += before - state.perRule[index].usage.count
            }
            return removed
        }
    }

    /// Every rule's figures, in file order.
    public func report() -> [RuleReport] {
        state.withLock { state in
            state.rules.rules.enumerated().map { index, rule in
                let usage = state.perRule[index].usage
                let largest = usage.filter { $0.value.series > 0 }
                    .sorted { $0.value.series != $1.value.series ? $0.value.series > $1.value.series : $0.key < $1.key }
                    .prefix(20).map { (namespace: $0.key, series: $0.value.series) }
                return RuleReport(rule: rule, refusedPoints: state.perRule[index].refusedPoints,
                                  refusedCreates: state.perRule[index].refusedCreates,
                                  namespaces: usage.count, series: usage.values.reduce(0) { $0 + $1.series }, largest: largest)
            }
        }
    }
}
