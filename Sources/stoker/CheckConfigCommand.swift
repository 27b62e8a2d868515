import ArgumentParser
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import ReadServer
import Manhole
import StatsdCore
import Whisper

/// `stoker check-config [--config FILE] [--instance NAME] [METRIC...]`: loads the file exactly as
/// `serve` would (with no file, the embedded defaults `serve` runs with) (the `[cache]` and `[statsd]` sections, then storage-schemas.conf and
/// storage-aggregation.conf), prints the effective value of every key, and for each metric
/// name given shows the schema, the aggregation and the file a new metric of that name would
/// get. Nothing listens and nothing is written. Exit 0 when the configuration would start,
/// 2 (as `serve`) with the key, the value and the reason when it would not.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and show what it means for sample metric names."
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file (none: the embedded defaults).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Instance name (selects [cache:NAME]).", valueName: "name"))
    var instance: String = "a"

    @Argument(help: ArgumentHelp("Metric names to look up in the storage rules.", valueName: "metric"))
    var metrics: [String] = []

    func run() throws {
        let configuration: StokerConfiguration
        let rules: StokerConfiguration.StorageRules
        let layout: StorageLayout
        let quotas: (file: String?, rules: QuotaRules)
        var warnings: [String]
        do {
            configuration = try StokerConfiguration.load(path: config, instance: instance)
            try configuration.validate()
            let loaded = try configuration.storageLayout()
            layout = loaded.layout
            rules = try configuration.storageRules()
            quotas = try configuration.quotaRules()
            warnings = configuration.warnings + loaded.warnings
        } catch {
            Console.err("[ERROR] \(error)\n")
            throw ExitCode(2)
        }
        let filters = configuration.filters()
        warnings += filters?.warnings ?? []

        var lines = ["# \(config ?? "(embedded defaults: no --config)") (instance \(instance)): valid", ""]
        lines += Self.cacheLines(configuration.carbon, manhole: configuration.manhole)
        lines.append("")
        lines += Self.statsdLines(configuration.statsd)
        lines.append("")
        lines += Self.apiLines(configuration.api)
        lines.append("")
        lines.append("# storage rules")
        let embedded = "(embedded: statsd's namespaces at one slot per flush)"
        lines.append("storage-schemas.conf = \(rules.embedded ? embedded : rules.schemasFile ?? "(none)")")
        for schema in rules.schemas.schemas {
            lines.append("  [\(schema.name)] pattern = \(schema.pattern?.source ?? "") retentions = \(Self.retentions(schema.archives))")
        }
        lines.append("  (no match) retentions = \(Self.retentions(StorageSchemas.defaultSchema.archives))")
        lines.append("storage-aggregation.conf = \(rules.embedded ? embedded : rules.aggregationFile ?? "(none)")")
        for rule in rules.aggregation.rules {
            lines.append("  [\(rule.name)] pattern = \(rule.pattern.source) \(Self.policy(rule.policy))")
        }
        lines.append("  (no match) \(Self.policy(.whisperDefault))")
        lines.append("quotas.conf = \(quotas.file ?? "(none: no quotas)")")
        for rule in quotas.rules.rules { lines.append("  " + Self.quotaLine(rule)) }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("# warnings")
            lines += warnings.map { "warning: \($0)" }
        }
        for metric in metrics {
            lines.append("")
            lines += Self.metricLines(metric, layout: layout, rules: rules, filters: filters, quotas: quotas.rules)
        }
        Console.outLines(lines)
    }

    // MARK: - Sections

    static func cacheLines(_ c: CarbonSettings, manhole m: ManholeSettings) -> [String] {
        var pairs: [(String, String)] = [
            ("ENABLED", bool(c.enabled)),
            ("STORAGE_DIR", c.storageDirectory),
            ("LOCAL_DATA_DIR", c.localDataDirectory),
            ("WHITELISTS_DIR", c.whitelistsDirectory ?? c.configDirectory ?? "."),
            ("LINE_RECEIVER_INTERFACE", c.lineReceiver.interface),
            ("LINE_RECEIVER_PORT", "\(c.lineReceiver.port)"),
            ("LINE_RECEIVER_MAX_LENGTH", "\(c.lineMaxLength)"),
            ("ENABLE_UDP_LISTENER", bool(c.enableUDPListener)),
            ("UDP_RECEIVER_INTERFACE", c.udpReceiver.interface),
            ("UDP_RECEIVER_PORT", "\(c.udpReceiver.port)"),
            ("PICKLE_RECEIVER_INTERFACE", c.pickleReceiver.interface),
            ("PICKLE_RECEIVER_PORT", "\(c.pickleReceiver.port)"),
            ("PICKLE_RECEIVER_MAX_LENGTH", "\(c.pickleMaxLength)"),
            ("CACHE_QUERY_INTERFACE", c.cacheQuery.interface),
            ("CACHE_QUERY_PORT", "\(c.cacheQuery.port)"),
            ("MAX_RECEIVER_CONNECTIONS", limit(c.maxReceiverConnections)),
            ("METRIC_CLIENT_IDLE_TIMEOUT", limit(c.metricClientIdleTimeout)),
            ("MIN_TIMESTAMP_RESOLUTION", "\(c.minTimestampResolution)"),
            ("USE_WHITELIST", bool(c.useWhitelist)),
            ("USE_INSECURE_UNPICKLER", "False"),
            ("MAX_CACHE_SIZE", limit(c.maxCacheSize)),
            ("MAX_CACHE_MEMORY", "\(c.maxCacheMemory)"),
            ("USE_FLOW_CONTROL", bool(c.useFlowControl)),
            ("CACHE_WRITE_STRATEGY", c.cacheWriteStrategy.rawValue),
            ("MIN_TIMESTAMP_LAG", number(c.minTimestampLag)),
            ("CACHE_SHARDS", "\(c.cacheShards)"),
            ("MAX_UPDATES_PER_SECOND", limit(c.maxUpdatesPerSecond)),
            ("MAX_UPDATES_PER_SECOND_ON_SHUTDOWN",
             c.maxUpdatesPerSecondOnShutdown.map { $0.isInfinite ? "inf" : number($0) } ?? "(unset: MAX_UPDATES_PER_SECOND)"),
            ("MAX_CREATES_PER_MINUTE", limit(c.maxCreatesPerMinute)),
            ("WHISPER_FALLOCATE_CREATE", bool(c.whisperFallocateCreate)),
            ("WHISPER_SPARSE_CREATE", bool(c.whisperSparseCreate)),
            ("WHISPER_LOCK_WRITES", bool(c.whisperLockWrites)),
            ("WHISPER_AUTOFLUSH", bool(c.whisperAutoflush)),
            ("WHISPER_FADVISE_RANDOM", bool(c.whisperFadviseRandom)),
            ("TAG_HASH_FILENAMES", bool(c.tagHashFilenames)),
            ("WRITER_THREADS", "\(c.writerThreads)"),
            ("MAX_OPEN_FILES", "\(c.maxOpenFiles)"),
            ("WAL_DIR", c.writeAheadLogDirectory ?? ""),
            ("WAL_FSYNC_INTERVAL", number(c.writeAheadLogFsyncInterval)),
            ("GRAPHITE_URL", c.graphiteURL?.description ?? ""),
            ("ENABLE_TAGS", bool(c.enableTags)),
            ("TAG_UPDATE_INTERVAL", "\(c.tagUpdateInterval)"),
            ("TAG_BATCH_SIZE", "\(c.tagBatchSize)"),
            ("TAG_QUEUE_SIZE", "\(c.tagQueueSize)"),
            ("CARBON_METRIC_PREFIX", c.carbonMetricPrefix),
            ("CARBON_METRIC_INTERVAL", number(c.carbonMetricInterval)),
            ("ENABLE_MANHOLE", bool(m.enabled)),
            ("MANHOLE_INTERFACE", m.interface),
            ("MANHOLE_PORT", "\(m.port)"),
            ("MANHOLE_USER", m.user),
            ("MANHOLE_PUBLIC_KEY", m.publicKey.map(hiddenKey) ?? "None"),
            ("MANHOLE_AUTHORIZED_KEYS", m.authorizedKeysFile ?? ""),
            ("MANHOLE_HOST_KEY_DIR", m.hostKeyDirectory),
            ("MANHOLE_RSA_MIN_SIZE", "\(m.rsaMinimumBits)"),
            ("MANHOLE_MAX_CONNECTIONS", "\(m.maxConnections)"),
            ("MANHOLE_LOGIN_TIMEOUT", number(m.loginTimeout)),
            ("MANHOLE_IDLE_TIMEOUT", number(m.idleTimeout)),
            ("LOG_LEVEL", c.logLevel),
        ]
        if !c.enabled { pairs.insert(("# statsd-only mode", "no carbon listeners, no files"), at: 1) }
        return ["[cache]"] + pairs.map(assignment)
    }

    static func apiLines(_ a: APISettings) -> [String] {
        let pairs: [(String, String)] = [
            ("interface", a.interface),
            ("port", "\(a.port)"),
            ("max_concurrent_requests", "\(a.limits.maxConcurrentRequests)"),
            ("max_series_per_request", "\(a.limits.maxSeriesPerRequest)"),
            ("max_request_seconds", number(a.limits.maxRequestSeconds)),
            ("max_request_bytes", "\(a.limits.maxRequestBytes)"),
        ]
        return ["[api]"] + pairs.map(assignment)
    }

    static func statsdLines(_ s: StatsdServerSettings) -> [String] {
        let t = s.statsd
        func optionalBool(_ value: Bool?, follows effective: Bool) -> String {
            value.map(bool) ?? "(unset: deleteIdleStats = \(bool(effective)))"
        }
        let pairs: [(String, String)] = [
            ("enabled", bool(s.enabled)),
            ("address", s.address),
            ("port", "\(s.port)"),
            ("address_ipv6", bool(s.addressIPv6)),
            ("mgmt_address", s.managementAddress),
            ("mgmt_port", "\(s.managementPort)"),
            ("tcp_address", s.tcpAddress),
            ("tcp_port", "\(s.tcpPort)"),
            ("reader_threads", "\(s.readerThreads)"),
            ("receive_buffer", "\(s.receiveBuffer)"),
            ("flushInterval", "\(t.flushInterval)"),
            ("percentThreshold", t.percentThreshold.map(number).joined(separator: ",")),
            ("histogram", t.histogram.map(histogramRule).joined(separator: "; ")),
            ("calculatedTimerMetrics", t.calculatedTimerMetrics.joined(separator: ",")),
            ("deleteIdleStats", bool(t.deleteIdleStats)),
            ("deleteCounters", optionalBool(t.deleteCounters, follows: t.deleteIdleStats)),
            ("deleteTimers", optionalBool(t.deleteTimers, follows: t.deleteIdleStats)),
            ("deleteGauges", optionalBool(t.deleteGauges, follows: t.deleteIdleStats)),
            ("deleteSets", optionalBool(t.deleteSets, follows: t.deleteIdleStats)),
            ("gaugesMaxTTL", "\(t.gaugesMaxTTL)"),
            ("flush_counts", bool(t.flushCounts)),
            ("prefixStats", t.prefixStats),
            ("legacyNamespace", bool(t.legacyNamespace)),
            ("globalPrefix", t.globalPrefix),
            ("prefixCounter", t.prefixCounter),
            ("prefixTimer", t.prefixTimer),
            ("prefixGauge", t.prefixGauge),
            ("prefixSet", t.prefixSet),
            ("globalSuffix", t.globalSuffix ?? "(unset)"),
            ("keyNameSanitize", bool(t.keyNameSanitize)),
            ("graphiteHost", s.graphiteHost ?? "(unset: no upstream copy)"),
            ("graphitePort", "\(s.graphitePort)"),
            ("forward_buffer_flushes", "\(s.forwardBufferFlushes)"),
            ("dumpMessages", bool(s.dumpMessages)),
            ("state_file", s.stateFile ?? "(none)"),
            ("max_line_length", "\(t.maxLineLength)"),
            ("max_keys_per_interval", "\(t.maxKeysPerInterval)"),
            ("unix_socket", s.unixSocket ?? ""),
            ("unix_socket_mode", "0" + String(s.unixSocketMode, radix: 8)),
            ("service_check_prefix", t.serviceCheckPrefix),
        ]
        return ["[statsd]"] + pairs.map(assignment)
    }

    /// The archives, xFilesFactor, method and path come from the `StorageLayout` `serve` builds
    /// (what the writer would really create); the rule files only name the matching sections.
    static func metricLines(_ metric: String, layout: StorageLayout,
                            rules: StokerConfiguration.StorageRules, filters: MetricFilters?, quotas: QuotaRules = .none) -> [String] {
        var lines = ["metric \(metric)"]
        let name = MetricName.normalize(metric)
        if name != metric { lines.append("  normalized = \(name)") }
        let path: String
        do {
            path = try layout.path(metric)
        } catch {
            lines.append("  refused = \(error)")
            return lines
        }
        if let filters {
            switch filters.verdict(for: metric) {
            case .allowed: lines.append("  filter = allowed")
            case .blacklisted: lines.append("  filter = dropped (matches blacklist.conf)")
            case .notWhitelisted: lines.append("  filter = dropped (matches no whitelist.conf pattern)")
            }
        }
        let created = layout.newFile(name)
        lines.append("  schema = [\(rules.schemas.match(name).name)] retentions = \(retentions(created.archives))")
        let rule = rules.aggregation.rules.first { $0.pattern.matches(name) }
        let section = rule.map { "[\($0.name)]" } ?? "(no match: whisper's defaults)"
        let effective = AggregationPolicy(xFilesFactor: created.xFilesFactor, method: created.aggregationMethod)
        lines.append("  aggregation = \(section) \(policy(effective))")
        lines.append("  file = \(path)")
        for (rule, namespace) in quotas.namespaces(of: name) {
            lines.append("  quota = [\(quotas.rules[rule].section)] namespace = \(namespace.isEmpty ? "(server)" : namespace)")
        }
        return lines
    }

    /// One quotas.conf section as it will be enforced.
    static func quotaLine(_ rule: QuotaRule) -> String {
        func show(_ value: Int?) -> String { value.map(String.init) ?? "max" }
        return "[\(rule.section)] metrics = \(show(rule.metrics)) throughput = \(show(rule.throughputPerMinute))/min"
            + " new-series-per-minute = \(show(rule.newSeriesPerMinute)) dropping-policy = \(rule.droppingPolicy.rawValue)"
    }

    // MARK: - Formatting

    /// `KEY = value`, or `KEY =` for an empty value (no trailing blank).
    static func assignment(_ pair: (String, String)) -> String {
        pair.1.isEmpty ? "\(pair.0) =" : "\(pair.0) = \(pair.1)"
    }

    static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    /// Whole numbers without a fraction (`60`, not `60.0`); others as Swift prints them.
    static func number(_ value: Double) -> String {
        if value.isInfinite { return "inf" }
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int(value))" }
        return "\(value)"
    }

    static func limit(_ value: Int?) -> String { value.map { "\($0)" } ?? "inf" }
    static func limit(_ value: Double?) -> String { value.map(number) ?? "inf" }

    static func policy(_ policy: AggregationPolicy) -> String {
        "xFilesFactor = \(number(policy.xFilesFactor)) aggregationMethod = \(policy.method.name)"
    }

    static func histogramRule(_ rule: HistogramRule) -> String {
        let bins = rule.bins.map { bin -> String in
            switch bin {
            case .infinity: return "inf"
            case let .bound(value): return number(value)
            }
        }
        return "\(rule.metric):\(bins.joined(separator: ","))"
    }

    /// `1s:10m,1m:1d`: each archive as precision:duration with the largest unit that divides
    /// exactly, followed by carbon's seconds:points form, e.g. `(1:600,60:1440)`.
    static func retentions(_ archives: [ArchiveSpec]) -> String {
        let units: [(String, Int)] = [("y", 86400 * 365), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
        func span(_ seconds: Int) -> String {
            let (suffix, size) = units.first { seconds % $0.1 == 0 } ?? ("s", 1)
            return "\(seconds / size)\(suffix)"
        }
        let readable = archives.map { "\(span($0.secondsPerPoint)):\(span($0.retention))" }.joined(separator: ",")
        let raw = archives.map { "\($0.secondsPerPoint):\($0.points)" }.joined(separator: ",")
        return "\(readable) (\(raw))"
    }

    /// A public key shown by its type and comment only: the key material stays out of logs
    /// and terminals this output may be pasted into.
    static func hiddenKey(_ line: String) -> String {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let type = fields.first else { return "(hidden)" }
        let comment = fields.count > 2 ? " " + fields[2...].joined(separator: " ") : ""
        return "\(type) (key hidden)\(comment)"
    }
}
