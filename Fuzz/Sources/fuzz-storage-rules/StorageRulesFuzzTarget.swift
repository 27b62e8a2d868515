import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import FuzzHarness

/// storage-schemas.conf and storage-aggregation.conf (the input parsed as each), then the
/// question the writer asks of them for a new file: which retention and aggregation a name
/// gets; the same text as whitelist.conf (one regular expression per line); and as
/// quotas.conf, whose rules then count and refuse the names.
enum StorageRulesFuzzTarget {
    /// Names of the shapes the writer sees: plain, statsd's, tagged, non-ASCII, empty.
    static let metrics = [
        "carbon.agents.host-a.cpuUsage", "stats.timers.api.get.upper_90", "stats_counts.page.views",
        "disk.used;dc=eu;host=a", "météo.température", "",
    ]

    static func run(_ input: FuzzInput) {
        guard let text = input.text else { return }
        var layouts: [(StorageSchemas?, StorageAggregation?)] = []
        do {
            let schemas = try StorageSchemas.parse(text: text, fileName: "storage-schemas.conf")
            layouts.append((schemas, nil))
        } catch {
            _ = error.description
        }
        do {
            let aggregation = try StorageAggregation.parse(text: text, fileName: "storage-aggregation.conf")
            layouts.append((nil, aggregation))
        } catch {
            _ = error.description
        }
        for (schemas, aggregation) in layouts {
            let layout = StorageLayout(schemas: schemas ?? StorageSchemas(schemas: []),
                                       aggregation: aggregation ?? StorageAggregation(rules: []),
                                       dataDirectory: "/nonexistent", hashTaggedNames: true)
            for metric in metrics {
                let newFile = layout.newFile(metric)
                fuzzCheck(!newFile.archives.isEmpty, "no archives for \(metric)")
                fuzzCheck(newFile.xFilesFactor >= 0 && newFile.xFilesFactor <= 1, "xFilesFactor \(newFile.xFilesFactor)")
            }
        }
        let list = MetricFilters.patterns(fromListText: text, fileName: "whitelist.conf")
        let filters = MetricFilters(whitelist: list.patterns, blacklist: list.patterns)
        for metric in metrics { _ = filters.verdict(for: metric) }
        if let quotas = try? QuotaRules.parse(text: text, fileName: "quotas.conf") {
            let ledger = QuotaLedger(rules: quotas)
            for (i, metric) in metrics.enumerated() {
                _ = ledger.admitNewSeries(metric, now: Double(i))
                _ = ledger.admitPoint(metric, now: Double(i))
            }
            let report = ledger.report()
            fuzzCheck(report.count == quotas.rules.count, "one report per rule")
            fuzzCheck(report.allSatisfy { $0.series >= 0 && $0.series <= metrics.count }, "series counted within the names given")
        }
    }
}

@main
enum StorageRulesFuzzMain {
    static func main() { FuzzDriver.run(StorageRulesFuzzTarget.run) }
}
