import Foundation
import Whisper

/// Everything the carbon half reads from the `[cache]` section (carbon.conf's key names), with
/// Stoker's defaults. `conf/stoker.conf` documents each key.
public struct CarbonSettings: Sendable, Equatable {
    /// A TCP or UDP endpoint; port 0 turns the listener off, as in carbon.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var interface: String
        public var port: Int
        public var isEnabled: Bool { port != 0 }
        public var description: String { "\(interface):\(port)" }
    }

    /// Stoker's own: run the carbon half (false: statsd-only mode, flushes go upstream).
    public var enabled = true
    public var storageDirectory = "storage"
    public var localDataDirectory = "storage/whisper"
    /// Where storage-schemas.conf and friends live: the config file's directory.
    public var configDirectory: String?
    public var whitelistsDirectory: String?

    public var lineReceiver = Endpoint(interface: "0.0.0.0", port: 2003)
    public var enableUDPListener = false
    public var udpReceiver = Endpoint(interface: "0.0.0.0", port: 2003)
    public var pickleReceiver = Endpoint(interface: "0.0.0.0", port: 2004)
    public var pickleMaxLength = 1_048_576
    public var cacheQuery = Endpoint(interface: "0.0.0.0", port: 7002)
    /// Longest plaintext line accepted (carbon's LineOnlyReceiver limit).
    public var lineMaxLength = 16384

    public var maxCacheSize: Int?
    /// MAX_CACHE_MEMORY: the cache's memory ceiling.
    public var maxCacheMemory: CacheMemoryCeiling = .auto
    public var useFlowControl = true
    public var cacheWriteStrategy: DrainStrategy = .sorted
    public var minTimestampLag = 0.0
    public var maxUpdatesPerSecond: Double?
    public var maxUpdatesPerSecondOnShutdown: Double?
    public var maxCreatesPerMinute: Double?
    public var minTimestampResolution = 1
    public var maxReceiverConnections: Int?
    public var metricClientIdleTimeout: Double?
    public var useWhitelist = false

    public var whisperAutoflush = false
    public var whisperSparseCreate = false
    public var whisperFallocateCreate = true
    public var whisperLockWrites = false
    public var whisperFadviseRandom = false
    public var tagHashFilenames = true

    public var carbonMetricPrefix = "carbon"
    public var carbonMetricInterval = 60.0
    /// graphite-web's base URL (`http://host:port`): where DogStatsD events are posted
    /// (`/events/`) and, with ENABLE_TAGS, new series (`/tags/tagMultiSeries`). nil (Stoker's
    /// default): events are counted, not posted, and series are not posted.
    public var graphiteURL: GraphiteWebURL?
    /// carbon's tag posting to GRAPHITE_URL's `/tags/tagMultiSeries` (docs/carbon.md §15).
    public var enableTags = true
    public var tagUpdateInterval = 100
    public var tagBatchSize = 100
    public var tagQueueSize = 10000

    /// Stoker's own: writer threads, cache shards, descriptors the writers may keep open.
    /// Writer threads: 0 = automatic, one per core (at most 8). Each thread's system calls
    /// (open, pwrite, close) then run in parallel: one thread cannot keep up with a burst
    /// into 100 k existing files on a 2-core machine (see BENCHMARKS.md).
    public var writerThreads = 0
    /// The writer threads `writerThreads` stands for.
    public var effectiveWriterThreads: Int {
        writerThreads > 0 ? writerThreads : min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }
    public var cacheShards = 64
    /// 0 = automatic: the process's open-file limit is raised to its hard limit and all but
    /// 1024 descriptors may stay open for whisper files.
    public var maxOpenFiles = 0
    /// Stoker's own: a directory for the write-ahead log of accepted points (nil = none). Points
    /// still in the cache at a crash (`kill -9`) are stored again from it at the next start.
    public var writeAheadLogDirectory: String?
    /// Stoker's own: seconds between the log's fsyncs; a crash loses at most this much.
    public var writeAheadLogFsyncInterval = 1.0
    /// Stoker's own: trace, debug, info, notice, warning, error, critical.
    public var logLevel = "info"

    public init() {}

    /// The writer's view of these settings.
    public var writerSettings: WriterSettings {
        var writer = WriterSettings(dataDirectory: localDataDirectory)
        writer.threads = effectiveWriterThreads
        writer.strategy = cacheWriteStrategy
        writer.minimumTimestampLag = minTimestampLag
        writer.maxUpdatesPerSecond = maxUpdatesPerSecond
        writer.maxUpdatesPerSecondOnShutdown = maxUpdatesPerSecondOnShutdown
        writer.maxCreatesPerMinute = maxCreatesPerMinute
        writer.allocation = whisperFallocateCreate ? .fallocate : (whisperSparseCreate ? .sparse : .zeroed)
        writer.whisperOptions = WhisperOptions(lockWrites: whisperLockWrites, autoflush: whisperAutoflush,
                                               fadviseRandom: whisperFadviseRandom)
        writer.openFileBudget = maxOpenFiles > 0 ? maxOpenFiles : OpenFileLimit.raiseToHardLimit() - 1024
        writer.tagUpdateInterval = tagUpdateInterval
        return writer
    }
}
