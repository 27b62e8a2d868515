/// Every statsd option that changes parsing, aggregation or flushing, with statsd 0.10.2's
/// defaults and option names, plus Stoker's own limits. Reading them from a file happens
/// elsewhere; values here are already normalised (a falsy `flushInterval` already became 10000,
/// a single `percentThreshold` already became a list).
public struct StatsdSettings: Sendable, Equatable {
    /// Milliseconds between flushes.
    public var flushInterval: Int = 10_000
    /// Percentiles computed for every timer, in this order; negative = top percentiles.
    public var percentThreshold: [Double] = [90]
    /// Histogram rules, first match wins.
    public var histogram: [HistogramRule] = []
    /// Timer statistics to keep (`mean_percent`, `upper`, `histogram`, ...); empty = all.
    public var calculatedTimerMetrics: [String] = []
    /// Default for the four delete options below when they are not set.
    public var deleteIdleStats: Bool = false
    /// nil = follow `deleteIdleStats`.
    public var deleteCounters: Bool?
    public var deleteTimers: Bool?
    public var deleteGauges: Bool?
    public var deleteSets: Bool?
    /// Flushes a gauge survives without updates when gauges are deleted; values below 2 mean 1.
    public var gaugesMaxTTL: Int = 1
    /// Emit counter counts (`stats_counts.<key>` / `.count`).
    public var flushCounts: Bool = true
    /// Name of statsd's own metrics (`statsd.bad_lines_seen`, ...).
    public var prefixStats: String = "statsd"
    /// `graphite.legacyNamespace`.
    public var legacyNamespace: Bool = true
    /// `graphite.globalPrefix`, new namespace only; `""` omits it.
    public var globalPrefix: String = "stats"
    public var prefixCounter: String = "counters"
    public var prefixTimer: String = "timers"
    public var prefixGauge: String = "gauges"
    public var prefixSet: String = "sets"
    /// `graphite.globalSuffix`: nil = unset; when set (even to `""`) `.suffix` is appended.
    public var globalSuffix: String?
    /// Sanitise keys on input (statsd's `keyNameSanitize`).
    public var keyNameSanitize: Bool = true
    /// Stoker: a line longer than this many bytes is a bad line (counted in `lines_too_long`).
    public var maxLineLength: Int = 65_536
    /// Stoker: distinct keys (all four types together) one table may hold; samples for further
    /// new keys are dropped and counted in `keys_over_limit`.
    public var maxKeysPerInterval: Int = 1_000_000
    /// Stoker: DogStatsD service checks become gauges `<prefix>.<check name>` (status 0-3);
    /// `""` puts them at the top of the gauges' namespace.
    public var serviceCheckPrefix: String = "service_checks"

    public init() {}

    /// `deleteCounters` after applying `deleteIdleStats`.
    public var effectiveDeleteCounters: Bool { deleteCounters ?? deleteIdleStats }
    public var effectiveDeleteTimers: Bool { deleteTimers ?? deleteIdleStats }
    public var effectiveDeleteGauges: Bool { deleteGauges ?? deleteIdleStats }
    public var effectiveDeleteSets: Bool { deleteSets ?? deleteIdleStats }
    /// `gaugesMaxTTL` as statsd uses it: an integer above 1, else 1.
    public var effectiveGaugesMaxTTL: Int { gaugesMaxTTL > 1 ? gaugesMaxTTL : 1 }
    /// The flush interval in seconds, as the rate divisor.
    public var flushIntervalSeconds: Double { Double(flushInterval) / 1000 }
}
