extension CarbonSettings {
    typealias Apply = @Sendable (inout CarbonSettings, String) throws(ConfigValue.Invalid) -> Void

    /// Every `[cache]` key Stoker honours, lower-cased, with how its value is read.
    static let keys: [String: Apply] = [
        "enabled": { s, v throws(ConfigValue.Invalid) in s.enabled = try ConfigValue.bool(v) },
        "storage_dir": { s, v throws(ConfigValue.Invalid) in s.storageDirectory = try path(v) },
        "local_data_dir": { s, v throws(ConfigValue.Invalid) in s.localDataDirectory = try path(v) },
        "whitelists_dir": { s, v throws(ConfigValue.Invalid) in s.whitelistsDirectory = try path(v) },
        "line_receiver_interface": { s, v in s.lineReceiver.interface = v },
        "line_receiver_port": { s, v throws(ConfigValue.Invalid) in s.lineReceiver.port = try ConfigValue.port(v) },
        "line_receiver_max_length": { s, v throws(ConfigValue.Invalid) in s.lineMaxLength = try ConfigValue.integer(v, in: 64...16_777_216) },
        "enable_udp_listener": { s, v throws(ConfigValue.Invalid) in s.enableUDPListener = try ConfigValue.bool(v) },
        "udp_receiver_interface": { s, v in s.udpReceiver.interface = v },
        "udp_receiver_port": { s, v throws(ConfigValue.Invalid) in s.udpReceiver.port = try ConfigValue.port(v) },
        "pickle_receiver_interface": { s, v in s.pickleReceiver.interface = v },
        "pickle_receiver_port": { s, v throws(ConfigValue.Invalid) in s.pickleReceiver.port = try ConfigValue.port(v) },
        "pickle_receiver_max_length": { s, v throws(ConfigValue.Invalid) in s.pickleMaxLength = try ConfigValue.integer(v, in: 16...1_073_741_824) },
        "cache_query_interface": { s, v in s.cacheQuery.interface = v },
        "cache_query_port": { s, v throws(ConfigValue.Invalid) in s.cacheQuery.port = try ConfigValue.port(v) },
        "max_cache_size": { s, v throws(ConfigValue.Invalid) in s.maxCacheSize = try ConfigValue.limit(v) },
        "max_cache_memory": { s, v throws(ConfigValue.Invalid) in s.maxCacheMemory = try CacheMemoryCeiling.parse(v) },
        "use_flow_control": { s, v throws(ConfigValue.Invalid) in s.useFlowControl = try ConfigValue.bool(v) },
        "cache_write_strategy": { s, v throws(ConfigValue.Invalid) in
            guard let strategy = DrainStrategy(rawValue: v.lowercased()) else {
                throw ConfigValue.Invalid(reason: "expected one of sorted, max, naive, timesorted")
            }
            s.cacheWriteStrategy = strategy
        },
        "min_timestamp_lag": { s, v throws(ConfigValue.Invalid) in s.minTimestampLag = try ConfigValue.number(v, in: 0...1e9) },
        "max_updates_per_second": { s, v throws(ConfigValue.Invalid) in s.maxUpdatesPerSecond = try ConfigValue.rate(v) },
        "max_updates_per_second_on_shutdown": { s, v throws(ConfigValue.Invalid) in
            // `inf` here is a setting of its own (no limit while draining), unlike leaving it unset.
            s.maxUpdatesPerSecondOnShutdown = try ConfigValue.rate(v) ?? .infinity
        },
        "max_creates_per_minute": { s, v throws(ConfigValue.Invalid) in s.maxCreatesPerMinute = try ConfigValue.rate(v) },
        "min_timestamp_resolution": { s, v throws(ConfigValue.Invalid) in s.minTimestampResolution = try ConfigValue.integer(v, in: 0...86400) },
        "max_receiver_connections": { s, v throws(ConfigValue.Invalid) in s.maxReceiverConnections = try ConfigValue.limit(v) },
        "metric_client_idle_timeout": { s, v throws(ConfigValue.Invalid) in s.metricClientIdleTimeout = try ConfigValue.rate(v) },
        "use_whitelist": { s, v throws(ConfigValue.Invalid) in s.useWhitelist = try ConfigValue.bool(v) },
        "whisper_autoflush": { s, v throws(ConfigValue.Invalid) in s.whisperAutoflush = try ConfigValue.bool(v) },
        "whisper_sparse_create": { s, v throws(ConfigValue.Invalid) in s.whisperSparseCreate = try ConfigValue.bool(v) },
        "whisper_fallocate_create": { s, v throws(ConfigValue.Invalid) in s.whisperFallocateCreate = try ConfigValue.bool(v) },
        "whisper_lock_writes": { s, v throws(ConfigValue.Invalid) in s.whisperLockWrites = try ConfigValue.bool(v) },
        "whisper_fadvise_random": { s, v throws(ConfigValue.Invalid) in s.whisperFadviseRandom = try ConfigValue.bool(v) },
        "tag_hash_filenames": { s, v throws(ConfigValue.Invalid) in s.tagHashFilenames = try ConfigValue.bool(v) },
        "carbon_metric_prefix": { s, v throws(ConfigValue.Invalid) in
            guard !v.isEmpty, !v.contains(" ") else { throw ConfigValue.Invalid(reason: "expected a metric name prefix") }
            s.carbonMetricPrefix = v
        },
        "carbon_metric_interval": { s, v throws(ConfigValue.Invalid) in s.carbonMetricInterval = try ConfigValue.number(v, in: 0...86400) },
        "writer_threads": { s, v throws(ConfigValue.Invalid) in s.writerThreads = try ConfigValue.integer(v, in: 0...64) },
        "cache_shards": { s, v throws(ConfigValue.Invalid) in s.cacheShards = try ConfigValue.integer(v, in: 1...4096) },
        "wal_dir": { s, v throws(ConfigValue.Invalid) in s.writeAheadLogDirectory = v.isEmpty ? nil : try path(v) },
        "wal_fsync_interval": { s, v throws(ConfigValue.Invalid) in s.writeAheadLogFsyncInterval = try ConfigValue.number(v, in: 0.01...60) },
        "enable_tags": { s, v throws(ConfigValue.Invalid) in s.enableTags = try ConfigValue.bool(v) },
        "tag_update_interval": { s, v throws(ConfigValue.Invalid) in s.tagUpdateInterval = try ConfigValue.integer(v, in: 1...1_000_000_000) },
        "tag_batch_size": { s, v throws(ConfigValue.Invalid) in s.tagBatchSize = try ConfigValue.integer(v, in: 1...100_000) },
        "tag_queue_size": { s, v throws(ConfigValue.Invalid) in s.tagQueueSize = try ConfigValue.integer(v, in: 1...100_000_000) },
        "graphite_url": { s, v throws(ConfigValue.Invalid) in
            guard !v.isEmpty else { s.graphiteURL = nil; return }
            guard let url = GraphiteWebURL(v) else {
                throw ConfigValue.Invalid(reason: "expected graphite-web's URL, http://host:port")
            }
            s.graphiteURL = url
        },
        "max_open_files": { s, v throws(ConfigValue.Invalid) in s.maxOpenFiles = try ConfigValue.integer(v, in: 0...10_000_000) },
        "log_level": { s, v throws(ConfigValue.Invalid) in
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(v.lowercased()) else { throw ConfigValue.Invalid(reason: "expected one of \(levels.joined(separator: ", "))") }
            s.logLevel = v.lowercased()
        },
    ]

    /// carbon.conf keys that are accepted without effect (they configure things Stoker does
    /// differently or not at all); no warning, so an existing carbon.conf loads quietly.
    static let acceptedWithoutEffect: Set<String> = [
        "user", "log_dir", "pid_dir", "enable_logrotation", "log_updates", "log_creates", "log_cache_hits",
        "log_cache_queue_sorts", "log_listener_conn_success", "log_listener_conn_lost", "log_cache_performance",
        "tag_relay_normalized", "skip_tags_for_nontagged", "tcp_keepalive", "tcp_keepidle", "tcp_keepintvl",
        "tcp_keepcnt", "enable_amqp", "amqp_verbose", "cache_size_low_watermark", "whisper_enabled",
        "database", "use_ratelimit", "log_aggregator_misses", "pickle_receiver_protocol",
    ]

    private static func path(_ value: String) throws(ConfigValue.Invalid) -> String {
        guard !value.isEmpty, !value.contains("\0") else { throw ConfigValue.Invalid(reason: "expected a directory path") }
        return value.hasSuffix("/") && value.count > 1 ? String(value.dropLast()) : value
    }

    /// Reads a `[cache]` section. Unknown keys come back as warnings (logged once at startup);
    /// an invalid value throws naming the key, the value and the reason.
    /// `otherKeys` are read by other parts of Stoker from the same section (the manhole's):
    /// they are not warned about.
    public static func from(values: [String: String], fileName: String, configDirectory: String?,
                            otherKeys: Set<String> = []) throws(ConfigError)
        -> (settings: CarbonSettings, warnings: [String])
    {
        var settings = CarbonSettings()
        settings.configDirectory = configDirectory
        var warnings: [String] = []
        // STORAGE_DIR first: LOCAL_DATA_DIR defaults under it.
        let ordered = values.keys.sorted { ($0 == "storage_dir" ? 0 : 1, $0) < ($1 == "storage_dir" ? 0 : 1, $1) }
        var sawDataDirectory = false
        for key in ordered {
            let value = values[key]!
            if key == "use_insecure_unpickler" {
                if (try? ConfigValue.bool(value)) == true {
                    throw ConfigError(file: fileName, key: key, value: value, reason: "Stoker never unpickles code; only the safe decoder exists")
                }
                continue
            }
            guard let apply = keys[key] else {
                if !acceptedWithoutEffect.contains(key) && !otherKeys.contains(key) {
                    warnings.append("\(fileName): unknown key \(key.uppercased()) ignored")
                }
                continue
            }
            do {
                try apply(&settings, value)
            } catch {
                throw ConfigError(file: fileName, key: key, value: value, reason: error.reason)
            }
            if key == "storage_dir" && !sawDataDirectory { settings.localDataDirectory = settings.storageDirectory + "/whisper" }
            if key == "local_data_dir" { sawDataDirectory = true }
        }
        if settings.minTimestampResolution < 0 {
            throw ConfigError(file: fileName, key: "min_timestamp_resolution", value: "\(settings.minTimestampResolution)", reason: "must not be negative")
        }
        return (settings, warnings)
    }
}
