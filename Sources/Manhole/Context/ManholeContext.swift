import ManholeLanguage
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import ServerRuntime

/// What the manhole language can see of the running process. The app builds one from its live
/// objects (see `init(carbon:manhole:statsd:)`); tests build one from a bare MetricCache.
///
/// Every closure is called on a manhole connection thread, never on Swift concurrency's pool,
/// and may block that connection (not the receivers).
public struct ManholeContext: Sendable {
    /// The live cache (read with `points(of:)`, `counts()`; never written by the manhole).
    public var cache: MetricCache
    /// `writeCachedDataPoints()`: writes every point cached at the time of the call to disk and
    /// returns how many were written. Must not block receivers.
    public var writeCachedDataPoints: @Sendable () throws -> Int
    /// The writer's counters, for `writer.stats` and `writer.rates()`; nil hides them.
    public var writerStatistics: WriterStatistics?
    /// The effective configuration as (carbon.conf key, value) pairs; values of keys that look
    /// secret (PASSWORD, SECRET, TOKEN, ...) are replaced before they are shown.
    public var settings: @Sendable () -> [(key: String, value: String)]
    /// The whisper file of a metric (for `whisper.info` and `whisper.fetch`).
    public var whisperPath: @Sendable (String) throws -> String
    /// statsd's pending state; nil when statsd does not run in this process.
    public var statsd: (any StatsdInspection)?
    /// quotas.conf's rules and counts (docs/quotas.md); nil hides them.
    public var quotas: QuotaLedger?
    /// Wall-clock seconds (replaceable in tests).
    public var clock: @Sendable () -> Double

    public init(
        cache: MetricCache,
        writeCachedDataPoints: @escaping @Sendable () throws -> Int,
        writerStatistics: WriterStatistics? = nil,
        settings: @escaping @Sendable () -> [(key: String, value: String)] = { [] },
        whisperPath: @escaping @Sendable (String) throws -> String,
        statsd: (any StatsdInspection)? = nil,
        quotas: QuotaLedger? = nil,
        clock: (@Sendable () -> Double)? = nil
    ) {
        self.cache = cache
        self.writeCachedDataPoints = writeCachedDataPoints
        self.writerStatistics = writerStatistics
        self.settings = settings
        self.whisperPath = whisperPath
        self.statsd = statsd
        self.quotas = quotas
        self.clock = clock ?? { wallClockSeconds() }
    }

    /// The context over a running carbon service: its cache, writer and settings (plus the
    /// manhole's own, and any extra pairs such as statsd's), whisper paths under
    /// LOCAL_DATA_DIR.
    public init(carbon: CarbonService, manhole: ManholeSettings? = nil, extraSettings: [(key: String, value: String)] = [],
                statsd: (any StatsdInspection)? = nil) {
        let settings = carbon.settings
        let dump = SettingsDump.pairs(of: settings) + (manhole.map(SettingsDump.pairs(of:)) ?? []) + extraSettings
        self.init(cache: carbon.cache,
                  writeCachedDataPoints: Self.flushing(carbon.writer),
                  writerStatistics: carbon.writer.statistics,
                  settings: { dump },
                  whisperPath: { metric in
                      try MetricPath.filePath(for: metric, dataDirectory: settings.localDataDirectory,
                                              hashTaggedNames: settings.tagHashFilenames)
                  },
                  statsd: statsd,
                  quotas: carbon.quotas)
    }

    /// A `writeCachedDataPoints` over a CacheWriter: starts the writer if it is not running yet,
    /// then waits (on the calling connection's thread) until the points cached at the time of
    /// the call have been written or given up, and returns how many were written. Receivers
    /// keep storing meanwhile. Throws a RuntimeError after `timeout` seconds (a writer held
    /// back by a full disk, say). MAX_UPDATES_PER_SECOND and MAX_CREATES_PER_MINUTE are lifted
    /// meanwhile: the operator asked for the points to be written now.
    public static func flushing(_ writer: CacheWriter, timeout: Double = 120) -> @Sendable () throws -> Int {
        return { try writer.withLimitsLifted { try waitForDrain(writer, timeout: timeout) } }
    }

    private static func waitForDrain(_ writer: CacheWriter, timeout: Double) throws -> Int {
        let cache = writer.cache
        let statistics = writer.statistics
        let before = statistics.snapshot
        let waiting = cache.counts().map(\.metric)
        let target = cache.size
        writer.start()
        let deadline = monotonicSeconds() + timeout
        var pending = waiting
        while true {
            let now = statistics.snapshot
            let progressed = (now.committedPoints - before.committedPoints) + (now.droppedPoints - before.droppedPoints)
            if progressed >= target { return now.committedPoints - before.committedPoints }
            pending.removeAll { cache.points(of: $0).isEmpty }
            if pending.isEmpty { return now.committedPoints - before.committedPoints }
            if monotonicSeconds() > deadline {
                throw PythonError("RuntimeError", "timed out after \(Int(timeout)) s: \(pending.count) metrics still cached "
                    + "(\(now.committedPoints - before.committedPoints) points written; writer limits or write errors?)")
            }
            sleepSeconds(0.005)
        }
    }

    /// True for keys whose values must not be shown.
    static func isSecret(_ key: String) -> Bool {
        let upper = key.uppercased()
        return ["PASSWORD", "SECRET", "TOKEN", "PASSPHRASE", "PRIVATE", "CREDENTIAL", "API_KEY"].contains { upper.contains($0) }
    }
}
