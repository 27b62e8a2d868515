/// One scrape of the measured Stoker's /metrics during a steady run.
struct SteadySample {
    var elapsed: Double
    var metrics: [String: Double]
    /// The child's `/proc/PID/io` at the same moment.
    var written: (system: Double, storage: Double)

    subscript(_ name: String) -> Double { metrics[name] ?? 0 }

    var cacheSize: Double { self["stoker_carbon_cache_size"] }
    var residentBytes: Double { self["stoker_process_resident_memory_bytes"] }
    var cpuSeconds: Double { self["stoker_process_cpu_seconds_total"] }
    var committedPoints: Double { self["stoker_carbon_committed_points_total"] }

    var progressLine: String {
        String(format: "  %5.0f s  cache %@ points (%@ MiB counted)  committed %@  cpu %.1f s  RSS %.0f MiB", elapsed,
               ResultRow.format(cacheSize), ResultRow.format(self["stoker_carbon_cache_memory_bytes"] / 1_048_576),
               ResultRow.format(committedPoints), cpuSeconds, residentBytes / 1_048_576)
    }
}
