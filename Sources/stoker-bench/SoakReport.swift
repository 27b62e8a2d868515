import Foundation

/// The soak's verdict and figures: RSS growth after warm-up against what the configured cache
/// could still add, the RSS trend, flush latency, drops and the load actually delivered.
struct SoakReport {
    var rows: [ResultRow] = []
    var summary = ""
    var passed = false
    var verdict = ""

    init(options: SoakBenchmark, run: SoakRun) {
        let samples = run.samples
        guard let first = samples.first, let last = samples.last,
              let earliest = samples.firstIndex(where: { $0.elapsed >= options.warmUp }) else {
            verdict = "no sample after the warm-up"
            summary = "- \(samples.count) sample(s), none after the \(ResultRow.format(options.warmUp)) s warm-up."
            return
        }
        // The warm-up also waits for the name space to exist on disk: it ends at the first sample
        // from --warm-up-seconds on whose file creates did not grow since the sample before.
        let settled = (max(earliest, 1)..<samples.count).first { index in
            guard let now = samples[index].cache?.creates, let before = samples[index - 1].cache?.creates else { return false }
            return now == before
        }
        let warm = settled ?? earliest
        let warmUpNote = settled != nil
            ? "the first sample from \(ResultRow.format(options.warmUp)) s on with no file created since the sample before"
            : "files were still being created at every sample from \(ResultRow.format(options.warmUp)) s on: the bound is applied from there"
        let after = Array(samples[warm...])
        let atWarmUp = after[0]
        let mib = { (bytes: Int) in Double(bytes) / 1_048_576 }
        let maxAfter = after.map(\.residentBytes).max() ?? atWarmUp.residentBytes
        let maxAll = samples.map(\.residentBytes).max() ?? 0

        // What the cache may still add after warm-up: the points and metrics beyond the most it
        // held so far (RSS seldom shrinks, so memory for that peak is already counted).
        let warmUpCache = samples[...warm].compactMap(\.cache)
        let pointsSoFar = warmUpCache.map(\.points).max() ?? 0
        let metricsSoFar = warmUpCache.map(\.metrics).max() ?? 0
        let pointHeadroom = max(0, options.maxCacheSize - pointsSoFar)
        let metricHeadroom = max(0, options.expectedMetrics - metricsSoFar)
        let allowance = Double(pointHeadroom) * options.bytesPerCachedPoint + Double(metricHeadroom) * options.bytesPerCachedMetric
            + options.slackMebibytes * 1_048_576
        let growth = Double(maxAfter - atWarmUp.residentBytes)
        passed = growth <= allowance
        verdict = String(format: "RSS grew %.1f MiB after warm-up (%.0f -> max %.0f MiB); the cache's headroom allows %.1f MiB",
                         growth / 1_048_576, mib(atWarmUp.residentBytes), mib(maxAfter), allowance / 1_048_576)
        let trend = leastSquaresSlope(after.map { (x: $0.elapsed / 3600, y: mib($0.residentBytes)) })

        // Every flush from disk; the sampler's view (distinct flushes) if that is missing.
        var flushes = run.flushMilliseconds
        var flushSource = "every flush, from `stats.statsd.graphiteStats.flush_time` on disk"
        if flushes.isEmpty {
            var seen: [Double: Double] = [:]
            for sample in samples { if let end = sample.flushEnded, let ms = sample.flushMilliseconds { seen[end] = ms } }
            flushes = Array(seen.values)
            flushSource = "the flushes the sampler saw (admin `stats`)"
        }
        let manhole = samples.compactMap(\.manholeMilliseconds)
        let statsdLoss = run.statsdSentLines > 0 ? max(0, run.statsdSentLines - run.statsdReceived) * 100 / run.statsdSentLines : 0
        let carbonRate = run.carbonSeconds > 0 ? Double(run.carbon.points) / run.carbonSeconds : 0
        let lastCache = samples.last(where: { $0.cache != nil })?.cache
        let maxCachePoints = samples.compactMap { $0.cache?.points }.max() ?? 0

        rows = [
            ResultRow(workload: "RSS growth after warm-up (max after - at warm-up end)", unit: .mebibytes,
                      stoker: [growth / 1_048_576], maximumAbsolute: allowance / 1_048_576),
            ResultRow(workload: "RSS at warm-up end (\(ResultRow.format(atWarmUp.elapsed)) s)", unit: .mebibytes, stoker: [mib(atWarmUp.residentBytes)], isReference: true),
            ResultRow(workload: "RSS at the last sample (\(ResultRow.format(last.elapsed)) s)", unit: .mebibytes, stoker: [mib(last.residentBytes)], isReference: true),
            ResultRow(workload: "RSS max over the run", unit: .mebibytes, stoker: [mib(maxAll)], isReference: true),
            ResultRow(workload: "RSS trend after warm-up (least squares), per hour", unit: .mebibytes, stoker: trend.map { [$0] } ?? [], isReference: true),
            ResultRow(workload: "statsd flush (`graphite.flush_time`), \(flushes.count) flushes: median", unit: .milliseconds, stoker: ResultRow.median(flushes).map { [$0] } ?? [], isReference: true),
            ResultRow(workload: "statsd flush, \(flushes.count) flushes: max", unit: .milliseconds, stoker: flushes.max().map { [$0] } ?? [], isReference: true),
            ResultRow(workload: "statsd lines lost (`metrics_received` on disk vs udp_blast's sent_lines)", unit: .percent, stoker: [statsdLoss], isReference: true),
            ResultRow(workload: "statsd load (C column: the -L target)", unit: .lines, c: [options.statsdRate], stoker: [run.statsdSentRate], isReference: true),
            ResultRow(workload: "plaintext load (C column: the -R target)", unit: .points, c: [options.carbonRate], stoker: [carbonRate], isReference: true),
            ResultRow(workload: "manhole exec under load, \(manhole.count) samples: median", unit: .milliseconds, stoker: ResultRow.median(manhole).map { [$0] } ?? [], isReference: true),
        ].filter { !$0.stoker.isEmpty }

        func count(_ value: Double) -> String { ResultRow.format(value) }
        summary = """
            - RSS: idle before the load \(String(format: "%.0f", mib(first.residentBytes))) MiB, at warm-up end \(String(format: "%.0f", mib(atWarmUp.residentBytes))) MiB, \
            last \(String(format: "%.0f", mib(last.residentBytes))) MiB, max \(String(format: "%.0f", mib(maxAll))) MiB\
            \(trend.map { String(format: "; trend after warm-up %+.1f MiB/h", $0) } ?? "").
            - Warm-up ended at \(ResultRow.format(atWarmUp.elapsed)) s: \(warmUpNote).
            - Bound: by then the cache had held up to \(count(Double(pointsSoFar))) points of MAX_CACHE_SIZE \(count(Double(options.maxCacheSize))) \
            and \(count(Double(metricsSoFar))) metrics of ~\(count(Double(options.expectedMetrics))) expected; \
            headroom \(count(Double(pointHeadroom))) points x \(ResultRow.format(options.bytesPerCachedPoint)) B + \(count(Double(metricHeadroom))) metrics x \
            \(ResultRow.format(options.bytesPerCachedMetric)) B + \(ResultRow.format(options.slackMebibytes)) MiB slack = \(String(format: "%.1f", allowance / 1_048_576)) MiB.
            - Cache: at most \(count(Double(maxCachePoints))) points; at the end cache.overflow \(lastCache?.overflow ?? 0), writer committed \
            \(count(Double(lastCache?.committedPoints ?? 0))) points, \(lastCache?.creates ?? 0) creates, dropped \(lastCache?.writerDropped ?? 0), \
            errors \(lastCache?.writerErrors ?? 0).
            - statsd flush latency (\(flushSource)): median \(ResultRow.median(flushes).map { String(format: "%.0f", $0) } ?? "-") ms, \
            max \(flushes.max().map { String(format: "%.0f", $0) } ?? "-") ms over \(flushes.count) flushes.
            - statsd: udp_blast sent \(count(run.statsdSentLines)) lines (\(count(run.statsdSentRate)) lines/s); \
            `metrics_received` \(count(run.statsdReceived)), `udp_dropped` \(count(run.statsdDropped)) (lines lost \(String(format: "%.3f", statsdLoss)) %).
            - Plaintext: \(run.carbon.runs) tcp_blast runs sent \(count(Double(run.carbon.points))) points, \(count(carbonRate)) points/s over the run.
            - Samples: \(samples.count); manhole exec unanswered \(run.manholeMisses), admin `stats` unanswered \(run.adminMisses); \
            shutdown (final flush + drain) \(String(format: "%.1f", run.shutdownSeconds)) s.
            """
    }
}
