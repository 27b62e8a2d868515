import CarbonCache
import CarbonNetwork
import ReadCore
import ReadServer
import StatsdCore
import StatsdNetwork
import Synchronization

/// What `GET /metrics` exposes (docs/reads.md §6): carbon's self-instrumentation
/// (`carbon.agents.<host>-<instance>.*`, as totals since start where carbon reports
/// per-interval counts), statsd's own counters summed over its flushes, and the read API's.
struct SelfMetrics: Sendable {
    let carbon: CarbonService
    let statsd: StatsdServer?
    let reads: ReadAPI

    func samples() -> [PrometheusExposition.Sample] {
        typealias S = PrometheusExposition.Sample
        let w = carbon.writer.statistics.snapshot
        let r = carbon.receiverStatistics.snapshot
        var samples: [S] = [
            S("stoker_carbon_cache_size", .gauge, Double(carbon.cache.size), help: "Points in the cache (carbon's cache.size)."),
            S("stoker_carbon_cache_queues", .gauge, Double(carbon.cache.queues), help: "Metrics with points in the cache (cache.queues)."),
            S("stoker_carbon_cache_overflow_total", .counter, Double(carbon.cache.overflowCount), help: "Points refused by a full cache (cache.overflow)."),
            S("stoker_carbon_cache_memory_bytes", .gauge, Double(carbon.cache.memoryBytes), help: "The cache's memory, estimated from its metrics and points."),
            S("stoker_carbon_cache_memory_ceiling_bytes", .gauge, carbon.memoryCeiling.bytes.map(Double.init) ?? .infinity,
              help: "MAX_CACHE_MEMORY in force: the cache is full at this many bytes (+Inf: no ceiling)."),
            S("stoker_carbon_metrics_received_total", .counter, Double(r.metricsReceived), help: "Datapoints received (metricsReceived)."),
            S("stoker_carbon_committed_points_total", .counter, Double(w.committedPoints), help: "Points written to whisper files (committedPoints)."),
            S("stoker_carbon_update_operations_total", .counter, Double(w.updateOperations), help: "Whisper updates (updateOperations)."),
            S("stoker_carbon_update_seconds_total", .counter, w.updateSeconds, help: "Seconds spent in whisper updates (avgUpdateTime × updateOperations)."),
            S("stoker_carbon_creates_total", .counter, Double(w.creates), help: "Whisper files created (creates)."),
            S("stoker_carbon_deferred_creates_total", .counter, Double(w.deferredCreates), help: "Creates deferred by MAX_CREATES_PER_MINUTE (deferredCreates)."),
            S("stoker_carbon_errors_total", .counter, Double(w.errors), help: "Create and write errors (errors)."),
            S("stoker_carbon_dropped_points_total", .counter, Double(w.droppedPoints), help: "Points given up: bad names, corrupt files (droppedPoints)."),
            S("stoker_carbon_active_connections", .gauge, Double(r.activeConnections), help: "Open receiver connections (activeConnections)."),
            S("stoker_carbon_blacklist_matches_total", .counter, Double(r.blacklistMatches), help: "Points refused by blacklist.conf (blacklistMatches)."),
            S("stoker_carbon_whitelist_rejects_total", .counter, Double(r.whitelistRejects), help: "Points refused by whitelist.conf (whitelistRejects)."),
            S("stoker_carbon_invalid_lines_total", .counter, Double(r.invalidLines), help: "Plaintext lines refused (invalidLines)."),
            S("stoker_carbon_invalid_pickles_total", .counter, Double(r.invalidPickles), help: "Pickle frames refused (invalidPickles)."),
            S("stoker_carbon_names_collapsed_total", .counter, Double(r.namesCollapsed), help: "Names stored with empty components collapsed (namesCollapsed)."),
            S("stoker_carbon_cache_queries_total", .counter, Double(r.cacheQueries), help: "Carbonlink cache queries (cache.queries)."),
            S("stoker_process_cpu_seconds_total", .counter, ProcessUsage.cpuSeconds(), help: "CPU seconds used by the process (cpuUsage)."),
            S("stoker_process_resident_memory_bytes", .gauge, Double(ProcessUsage.residentBytes()), help: "Resident memory (memUsage)."),
        ]
        // quotas.conf (docs/quotas.md), one sample per rule.
        let quotas = carbon.quotas.report()
        for (name, kind, help, value) in [
            ("stoker_quota_refused_points_total", S.Kind.counter, "Points refused by a quota rule (with dropping-policy none: that would have been).",
             { (r: QuotaLedger.RuleReport) in Double(r.refusedPoints) }),
            ("stoker_quota_refused_creates_total", .counter, "Creates of new series refused by a quota rule.", { Double($0.refusedCreates) }),
            ("stoker_quota_series", .gauge, "Series counted under a quota rule's namespaces.", { Double($0.series) }),
            ("stoker_quota_namespaces", .gauge, "Namespaces a quota rule tracks.", { Double($0.namespaces) }),
        ] {
            for report in quotas {
                samples.append(S(name, kind, value(report), help: help, labels: [.init("rule", report.rule.section)]))
            }
        }
        if let statsd {
            for counter in InternalCounter.allCases {
                samples.append(S("stoker_statsd_\(counter.suffix)_total", .counter, Double(statsd.totals.total(counter)),
                                 help: "statsd's \(counter.suffix), summed over every flush."))
            }
            samples.append(S("stoker_statsd_flushes_total", .counter, Double(statsd.flushes), help: "statsd flushes since start."))
            samples.append(S("stoker_statsd_flush_seconds_total", .counter, statsd.totals.flushSeconds, help: "Seconds spent in statsd's flushes."))
            samples.append(S("stoker_statsd_last_flush_timestamp_seconds", .gauge, Double(statsd.lastFlushTimestamp),
                             help: "The timestamp the last completed statsd flush gave its datapoints (0 before the first)."))
        }
        let q = reads.statistics
        samples += [
            S("stoker_api_requests_total", .counter, Double(q.requests.load(ordering: .relaxed)), help: "Read API requests answered by ReadCore."),
            S("stoker_api_finds_total", .counter, Double(q.finds.load(ordering: .relaxed)), help: "/metrics/find/ requests."),
            S("stoker_api_renders_total", .counter, Double(q.renders.load(ordering: .relaxed)), help: "/render/ requests."),
            S("stoker_api_refused_total", .counter, Double(q.refused.load(ordering: .relaxed)), help: "Requests refused for what they asked (4xx, time limit)."),
            S("stoker_api_overloaded_total", .counter, Double(q.overloaded.load(ordering: .relaxed)), help: "Requests turned away: max_concurrent_requests were running."),
            S("stoker_api_busy_seconds_total", .counter, q.busySeconds, help: "Seconds spent computing read answers."),
            S("stoker_index_leaves", .gauge, Double(reads.tree.leafCount), help: "Leaves in the name tree (files and cache-only names)."),
            S("stoker_index_waiting_for_create", .gauge, Double(reads.tree.waitingLeafCount), help: "Metrics whose points wait in the cache for their file."),
            S("stoker_index_bytes", .gauge, Double(reads.tree.memoryBytes), help: "Bytes the name tree holds."),
        ]
        return samples
    }
}
