import Foundation

/// One N of a steady run reduced to what the issue asks: flat or not, CPU, memory, delay.
struct SteadyResult {
    var series: Int
    var label: String
    /// Points per second the load offers (series / interval).
    var offeredRate: Double
    /// Over the second half: points written per second, the cache's slope (points/s), cores.
    var committedRate: Double
    var cacheSlope: Double
    var cores: Double
    var maxResidentBytes: Double
    var residentPerSeries: Double
    var delays: [Double]
    /// Over the second half, per point written: bytes handed to write system calls (whisper's
    /// pwrites, the write-ahead log's appends) and bytes sent to storage (`/proc/PID/io`).
    var writtenPerPoint: Double
    var storagePerPoint: Double
    var sendersKeptPace: Bool
    var senderNote: String
    var udpDropped: Double
    /// statsd's flush (absorb, compute, into the cache), mean seconds over the second half.
    var flushSeconds: Double?
    var shutdownSeconds: Double

    var sustained: Bool { sendersKeptPace && cacheSlope < 0.02 * offeredRate }
    var coresPer100k: Double { committedRate > 0 ? cores / (committedRate / 100_000) : .infinity }

    init(load: SteadyLoad, options: SteadyBenchmark, samples: [SteadySample], final: [String: Double], senders: [SteadySenderResult],
         delays: [Double], emptyResidentBytes: Int, shutdownSeconds: Double) {
        series = load.series
        offeredRate = Double(load.series) / Double(options.interval)
        let half = samples.filter { $0.elapsed >= Double(options.seconds) / 2 }
        let first = half.first, last = half.last
        let span = max(0.001, (last?.elapsed ?? 0) - (first?.elapsed ?? 0))
        committedRate = ((last?.committedPoints ?? 0) - (first?.committedPoints ?? 0)) / span
        cores = ((last?.cpuSeconds ?? 0) - (first?.cpuSeconds ?? 0)) / span
        let points = max(1, (last?.committedPoints ?? 0) - (first?.committedPoints ?? 0))
        writtenPerPoint = ((last?.written.system ?? 0) - (first?.written.system ?? 0)) / points
        storagePerPoint = ((last?.written.storage ?? 0) - (first?.written.storage ?? 0)) / points
        cacheSlope = leastSquaresSlope(half.map { ($0.elapsed, $0.cacheSize) }) ?? .infinity
        maxResidentBytes = half.map(\.residentBytes).max() ?? 0
        residentPerSeries = (maxResidentBytes - Double(emptyResidentBytes)) / Double(load.series)
        self.delays = delays.sorted()
        udpDropped = (final["stoker_statsd_udp_dropped_total"] ?? 0) - (samples.first?["stoker_statsd_udp_dropped_total"] ?? 0)
        if let first, let last, last["stoker_statsd_flushes_total"] > first["stoker_statsd_flushes_total"] {
            flushSeconds = (last["stoker_statsd_flush_seconds_total"] - first["stoker_statsd_flush_seconds_total"])
                / (last["stoker_statsd_flushes_total"] - first["stoker_statsd_flushes_total"])
        }
        self.shutdownSeconds = shutdownSeconds
        switch load {
        case let .plaintext(n):
            label = "plaintext \(ResultRow.format(Double(n)))"
            // A Stoker that cannot keep up holds the connections back: lines go out late.
            let lag = senders.map(\.maxLagSeconds).max() ?? .infinity
            sendersKeptPace = lag <= 1
            senderNote = String(format: "latest line %.2f s behind schedule", lag)
        case let .statsd(c, t):
            label = "statsd \(ResultRow.format(Double(c))) counters + \(ResultRow.format(Double(t))) timers"
            let wanted = Double((c + t) * 10 * options.seconds / options.interval)
            let sent = senders.reduce(0) { $0 + $1.sent }
            sendersKeptPace = sent >= wanted * 0.98
            senderNote = String(format: "sent %@ of %@ lines", ResultRow.format(sent), ResultRow.format(wanted))
        }
    }

    private func quantile(_ q: Double) -> Double? {
        guard !delays.isEmpty else { return nil }
        return delays[min(delays.count - 1, Int(Double(delays.count - 1) * q))]
    }

    var delayText: String {
        guard let median = quantile(0.5), let high = delays.last else { return "-" }
        return String(format: "%.1f / %.1f", median, high)
    }

    var summaryLine: String {
        "\(label): \(sustained ? "SUSTAINED" : "NOT sustained") — committed \(ResultRow.format(committedRate))/s of "
            + "\(ResultRow.format(offeredRate))/s offered, cache slope \(ResultRow.format(cacheSlope)) points/s, "
            + String(format: "%.2f cores (%.3f per 100k updates/s), RSS %.0f MiB = %.0f B/series, delay to disk s (median/max) %@, ",
                     cores, coresPer100k, maxResidentBytes / 1_048_576, residentPerSeries, delayText)
            + String(format: "written %.1f B/point (%.1f to storage), ", writtenPerPoint, storagePerPoint)
            + "udp dropped \(Int(udpDropped)), \(senderNote), shutdown \(String(format: "%.1f", shutdownSeconds)) s"
    }

    static func markdownTable(_ results: [SteadyResult]) -> String {
        var lines = ["| load | series | offered updates/s | written/s | cache slope (points/s) | sustained | cores | cores per 100k updates/s | RSS MiB | bytes/series | delay to disk s (median / max) | bytes written per point (to storage) | statsd flush ms | udp dropped | senders | shutdown s |",
                     "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in results {
            lines.append("| \(r.label) | \(ResultRow.format(Double(r.series))) | \(ResultRow.format(r.offeredRate)) | \(ResultRow.format(r.committedRate)) | "
                + "\(ResultRow.format(max(0, r.cacheSlope)))\(r.cacheSlope < 0 ? " (falling)" : "") | \(r.sustained ? "yes" : "**no**") | "
                + String(format: "%.2f | %.3f | %.0f | %.0f | ", r.cores, r.coresPer100k, r.maxResidentBytes / 1_048_576, r.residentPerSeries)
                + "\(r.delayText) | " + String(format: "%.1f (%.1f)", r.writtenPerPoint, r.storagePerPoint)
                + " | \(r.flushSeconds.map { String(format: "%.0f", $0 * 1000) } ?? "-") | \(Int(r.udpDropped)) | \(r.senderNote) | "
                + String(format: "%.1f |", r.shutdownSeconds))
        }
        return lines.joined(separator: "\n")
    }
}
