import ManholeLanguage
/// What the manhole can see of statsd: the current interval's pending values and an immediate
/// flush. The app implements it over its statsd service; the manhole never touches statsd's
/// internals.
///
/// Every method is called on a manhole connection thread (never on Swift concurrency's pool)
/// and may block briefly; it must not pause ingestion for long.
public protocol StatsdInspection: Sendable {
    /// Counters accumulated since the last flush (the raw sum, not yet divided by the
    /// interval) for names matching `pattern`.
    func pendingCounters(matching pattern: MetricGlob) -> [(name: String, value: Double)]
    /// Timer samples received since the last flush.
    func pendingTimers(matching pattern: MetricGlob) -> [(name: String, values: [Double])]
    /// Current gauge values.
    func pendingGauges(matching pattern: MetricGlob) -> [(name: String, value: Double)]
    /// Distinct members of each set since the last flush.
    func pendingSets(matching pattern: MetricGlob) -> [(name: String, members: [String])]
    /// Flushes now, as if the flush interval had elapsed, and returns a one-line summary for
    /// the operator (what was sent where). Blocks until the flush is done.
    func flush() throws -> String
}
