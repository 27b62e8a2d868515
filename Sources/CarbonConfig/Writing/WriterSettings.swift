import Whisper

/// How the writer turns cached points into whisper writes (carbon.conf's writer keys).
public struct WriterSettings: Sendable, Equatable {
    /// LOCAL_DATA_DIR.
    public var dataDirectory: String
    /// Writer threads; each owns a disjoint share of the cache.
    public var threads: Int = 1
    /// CACHE_WRITE_STRATEGY.
    public var strategy: DrainStrategy = .sorted
    /// MIN_TIMESTAMP_LAG (seconds; timesorted only).
    public var minimumTimestampLag: Double = 0
    /// MAX_UPDATES_PER_SECOND (nil = unlimited).
    public var maxUpdatesPerSecond: Double?
    /// MAX_UPDATES_PER_SECOND_ON_SHUTDOWN (nil = keep the normal rate, infinity = unlimited).
    public var maxUpdatesPerSecondOnShutdown: Double?
    /// MAX_CREATES_PER_MINUTE (nil = unlimited). New metrics beyond it wait in the cache.
    public var maxCreatesPerMinute: Double?
    /// WHISPER_FALLOCATE_CREATE / WHISPER_SPARSE_CREATE (fallocate wins, as in carbon).
    public var allocation: WhisperAllocation = .zeroed
    /// WHISPER_LOCK_WRITES, WHISPER_AUTOFLUSH, WHISPER_FADVISE_RANDOM.
    public var whisperOptions: WhisperOptions = .init()
    /// Descriptors the writers may keep open in total; files beyond it are opened per write
    /// while their headers stay cached.
    public var openFileBudget: Int = 4096
    /// TAG_UPDATE_INTERVAL: one write in this many is reported as `.updated` to the file
    /// observers (carbon's tag update queue, docs/carbon.md §15).
    public var tagUpdateInterval: Int = 100
    /// At most this long before a round, the writer waits while points are pouring in and its
    /// last round was not behind: a burst then lands in one update per metric instead of
    /// several small ones (0 = start every round at once).
    public var settleSeconds: Double = 1
    /// How long a shutdown keeps retrying writes that fail (a full disk) before giving up.
    public var shutdownRetrySeconds: Double = 30

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}

/// Archives, xFilesFactor and aggregation for a new file, from the storage rules.
public struct NewFileLayout: Sendable, Equatable {
    public var archives: [ArchiveSpec]
    public var xFilesFactor: Double
    public var aggregationMethod: AggregationMethod

    public init(archives: [ArchiveSpec], xFilesFactor: Double = 0.5, aggregationMethod: AggregationMethod = .average) {
        self.archives = archives
        self.xFilesFactor = xFilesFactor
        self.aggregationMethod = aggregationMethod
    }
}
