import ManholeLanguage
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork

/// The effective configuration as carbon.conf keys and values, for the manhole's `config`.
enum SettingsDump {
    static func pairs(of s: CarbonSettings) -> [(key: String, value: String)] {
        func optional<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "inf" }
        return [
            ("STORAGE_DIR", s.storageDirectory),
            ("LOCAL_DATA_DIR", s.localDataDirectory),
            ("WHITELISTS_DIR", s.whitelistsDirectory ?? ""),
            ("LINE_RECEIVER_INTERFACE", s.lineReceiver.interface),
            ("LINE_RECEIVER_PORT", "\(s.lineReceiver.port)"),
            ("LINE_RECEIVER_MAX_LENGTH", "\(s.lineMaxLength)"),
            ("ENABLE_UDP_LISTENER", "\(s.enableUDPListener)"),
            ("UDP_RECEIVER_INTERFACE", s.udpReceiver.interface),
            ("UDP_RECEIVER_PORT", "\(s.udpReceiver.port)"),
            ("PICKLE_RECEIVER_INTERFACE", s.pickleReceiver.interface),
            ("PICKLE_RECEIVER_PORT", "\(s.pickleReceiver.port)"),
            ("PICKLE_RECEIVER_MAX_LENGTH", "\(s.pickleMaxLength)"),
            ("CACHE_QUERY_INTERFACE", s.cacheQuery.interface),
            ("CACHE_QUERY_PORT", "\(s.cacheQuery.port)"),
            ("MAX_CACHE_SIZE", optional(s.maxCacheSize)),
            ("USE_FLOW_CONTROL", "\(s.useFlowControl)"),
            ("CACHE_WRITE_STRATEGY", s.cacheWriteStrategy.rawValue),
            ("MIN_TIMESTAMP_LAG", "\(s.minTimestampLag)"),
            ("MAX_UPDATES_PER_SECOND", optional(s.maxUpdatesPerSecond)),
            ("MAX_UPDATES_PER_SECOND_ON_SHUTDOWN", optional(s.maxUpdatesPerSecondOnShutdown)),
            ("MAX_CREATES_PER_MINUTE", optional(s.maxCreatesPerMinute)),
            ("MIN_TIMESTAMP_RESOLUTION", "\(s.minTimestampResolution)"),
            ("MAX_RECEIVER_CONNECTIONS", optional(s.maxReceiverConnections)),
            ("METRIC_CLIENT_IDLE_TIMEOUT", optional(s.metricClientIdleTimeout)),
            ("USE_WHITELIST", "\(s.useWhitelist)"),
            ("WHISPER_AUTOFLUSH", "\(s.whisperAutoflush)"),
            ("WHISPER_SPARSE_CREATE", "\(s.whisperSparseCreate)"),
            ("WHISPER_FALLOCATE_CREATE", "\(s.whisperFallocateCreate)"),
            ("WHISPER_LOCK_WRITES", "\(s.whisperLockWrites)"),
            ("WHISPER_FADVISE_RANDOM", "\(s.whisperFadviseRandom)"),
            ("TAG_HASH_FILENAMES", "\(s.tagHashFilenames)"),
            ("CARBON_METRIC_PREFIX", s.carbonMetricPrefix),
            ("CARBON_METRIC_INTERVAL", "\(s.carbonMetricInterval)"),
            ("WRITER_THREADS", "\(s.writerThreads)"),
            ("CACHE_SHARDS", "\(s.cacheShards)"),
            ("MAX_OPEN_FILES", "\(s.maxOpenFiles)"),
            ("WAL_DIR", s.writeAheadLogDirectory ?? ""),
            ("WAL_FSYNC_INTERVAL", "\(s.writeAheadLogFsyncInterval)"),
            ("LOG_LEVEL", s.logLevel),
        ]
    }

    static func pairs(of m: ManholeSettings) -> [(key: String, value: String)] {
        [
            ("ENABLE_MANHOLE", "\(m.enabled)"),
            ("MANHOLE_INTERFACE", m.interface),
            ("MANHOLE_PORT", "\(m.port)"),
            ("MANHOLE_USER", m.user),
            ("MANHOLE_PUBLIC_KEY", m.publicKey ?? "None"),
            ("MANHOLE_AUTHORIZED_KEYS", m.authorizedKeysFile ?? ""),
            ("MANHOLE_HOST_KEY_DIR", m.hostKeyDirectory),
            ("MANHOLE_RSA_MIN_SIZE", "\(m.rsaMinimumBits)"),
            ("MANHOLE_MAX_CONNECTIONS", "\(m.maxConnections)"),
            ("MANHOLE_LOGIN_TIMEOUT", "\(m.loginTimeout)"),
            ("MANHOLE_IDLE_TIMEOUT", "\(m.idleTimeout)"),
        ]
    }
}
