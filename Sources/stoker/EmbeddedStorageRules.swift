import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import StatsdCore
import Whisper

/// The storage rules `serve` uses when it runs with no configuration file. Carbon's implicit
/// 1-minute schema would make statsd's 10-second flushes overwrite each other within their
/// minute (a counter would keep its last flush, not its count), so statsd's namespaces get
/// slots of one flush interval, rolled up as conf/storage-aggregation.conf does: sums for
/// counts, min and max for lower and upper bounds. carbon's own metrics get carbon's shipped
/// `60:90d` at their interval; every other name keeps carbon's implicit `60:10080`.
enum EmbeddedStorageRules {
    static func rules(carbon: CarbonSettings, statsd: StatsdSettings) -> StokerConfiguration.StorageRules {
        let naming = GraphiteNaming(settings: statsd)
        let namespaces = naming.namespaces
        var schemas: [StorageSchema] = []
        if let archives = selfInstrumentationArchives(interval: carbon.carbonMetricInterval),
           let pattern = try? MetricPattern("^" + escaped(carbon.carbonMetricPrefix + ".agents.")) {
            schemas.append(StorageSchema(name: "carbon", pattern: pattern, archives: archives))
        }
        var aggregation: [AggregationRule] = []
        if !namespaces.isEmpty {
            let scope = "^(?:" + namespaces.map(escaped).joined(separator: "|") + ")"
            if let pattern = try? MetricPattern(scope) {
                schemas.append(StorageSchema(name: "statsd", pattern: pattern,
                                             archives: statsdArchives(flushIntervalMilliseconds: statsd.flushInterval)))
            }
            // First match wins: rates before the counts their names resemble. A name ends at
            // `;` when it carries tags (rules see the normalised name).
            let suffixRules: [(String, String, Double, AggregationMethod)] = [
                ("statsd_rate", #"[^;]*\.count_ps(?:;|$)"#, 0.5, .average),
                ("statsd_lower", #"[^;]*\.lower(?:_\w+)?(?:;|$)"#, 0.1, .min),
                ("statsd_upper", #"[^;]*\.upper(?:_\w+)?(?:;|$)"#, 0.1, .max),
                ("statsd_sum", #"[^;]*\.(?:count|sum|sum_squares)(?:_\w+)?(?:;|$)"#, 0, .sum),
                ("statsd_histogram", #"[^;]*\.histogram\.bin_[^.;]+(?:;|$)"#, 0, .sum),
            ]
            var rules = suffixRules.map { ($0.0, scope + $0.1, $0.2, $0.3) }
            if let counts = naming.legacyCountPrefix {
                // Legacy counts carry no `.count` suffix: everything under stats_counts is one.
                rules.append(("statsd_counts", "^" + escaped(counts), 0, .sum))
            }
            for (name, source, xFilesFactor, method) in rules {
                if let pattern = try? MetricPattern(source) {
                    aggregation.append(AggregationRule(name: name, pattern: pattern, xFilesFactor: xFilesFactor, method: method))
                }
            }
        }
        return StokerConfiguration.StorageRules(
            schemasFile: nil, schemas: StorageSchemas(schemas: schemas),
            aggregationFile: nil, aggregation: StorageAggregation(rules: aggregation), embedded: true)
    }

    /// One slot per flush for 6 hours, then 1 minute for 7 days and 10 minutes for 5 years (the
    /// shipped conf/ rules at 10-second flushes), each coarser precision rounded up to a multiple
    /// of the finer one. Sub-second flushes share a 1-second slot: whisper has none finer.
    static func statsdArchives(flushIntervalMilliseconds: Int) -> [ArchiveSpec] {
        let flush = max(1, flushIntervalMilliseconds / 1000)
        let day = 86_400
        var archives: [ArchiveSpec] = []
        for (precision, span) in [(flush, 6 * 3600), (60, 7 * day), (600, 5 * 365 * day)] {
            let finer = archives.last
            // The smallest multiple of the finer precision that is coarser and at least `precision`.
            let step = finer.map { f in f.secondsPerPoint * max(2, (precision + f.secondsPerPoint - 1) / f.secondsPerPoint) } ?? precision
            let archive = ArchiveSpec(secondsPerPoint: step, points: max(1, (span + step - 1) / step))
            if let finer, archive.retention <= finer.retention || finer.points < step / finer.secondsPerPoint { continue }
            archives.append(archive)
        }
        return (try? ArchiveSpec.validated(archives)) ?? [archives[0]]
    }

    /// carbon's shipped `[carbon] retentions = 60:90d`, at the instrumentation's own interval.
    static func selfInstrumentationArchives(interval: Double) -> [ArchiveSpec]? {
        guard interval >= 1, interval == interval.rounded(), interval <= 86_400 else { return nil }
        let seconds = Int(interval)
        return [ArchiveSpec(secondsPerPoint: seconds, points: max(1, 90 * 86_400 / seconds))]
    }

    /// `text` as a regular expression matching itself.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
