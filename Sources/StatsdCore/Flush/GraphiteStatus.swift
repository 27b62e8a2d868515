/// statsd's graphite backend status (`graphiteStats`), describing the PREVIOUS flush; emitted as
/// `<ns>.graphiteStats.*` lines and shown by the admin `stats` command.
public struct GraphiteStatus: Sendable, Equatable {
    /// Unix seconds of the last synchronous connect exception (0 = never).
    public var lastException: Double = 0
    /// Unix seconds of the last successful flush (initially the startup time).
    public var lastFlush: Double
    /// Milliseconds the last write took.
    public var flushTime: Double = 0
    /// Characters in the last payload.
    public var flushLength: Double = 0

    public init(startupTime: Int) {
        lastFlush = Double(startupTime)
    }

    public init(lastException: Double, lastFlush: Double, flushTime: Double, flushLength: Double) {
        self.lastException = lastException
        self.lastFlush = lastFlush
        self.flushTime = flushTime
        self.flushLength = flushLength
    }
}
