/// Which archive `whisper.fetch` reads and which of its intervals (docs/whisper.md §8), with no
/// file at hand: the read API answers a metric whose file is not created yet from the archives
/// its storage rule will give it, exactly as the fetch of an empty file would.
public struct WhisperFetchWindow: Sendable, Equatable {
    public var archiveIndex: Int
    /// The requested range clamped to what the file retains (before alignment).
    public var from: Int
    public var until: Int
    public var step: Int
    /// The first and one-past-last interval returned: `fromInterval + k·step`.
    public var fromInterval: Int
    public var untilInterval: Int
    public var count: Int { (untilInterval - fromInterval) / step }

    /// nil when the range lies in the future or before the oldest retained point.
    public init?(header: WhisperHeader, from: Int, until: Int?, now: Int, archiveStep: Int? = nil) throws {
        var from = from
        var until = until ?? now
        guard from <= until else { throw WhisperError.invalidTimeInterval(from: from, until: until) }
        let oldest = now - header.maxRetention
        if from > now || until < oldest { return nil }
        from = max(from, oldest)
        until = min(until, now)

        let index: Int
        if let archiveStep {
            guard let found = header.archives.firstIndex(where: { $0.secondsPerPoint == archiveStep }) else {
                throw WhisperError.invalidGranularity("\(archiveStep)s")
            }
            index = found
        } else {
            let age = now - from
            index = header.archives.firstIndex(where: { $0.retention >= age }) ?? header.archives.count - 1
        }
        archiveIndex = index
        self.from = from
        self.until = until
        step = header.archives[index].secondsPerPoint
        (fromInterval, untilInterval) = Self.intervals(from: from, until: until, step: step)
    }

    /// whisper's alignment: (align(from), align(until)], one interval at least.
    static func intervals(from: Int, until: Int, step: Int) -> (Int, Int) {
        let fromInterval = alignDown(from, step) + step
        var untilInterval = alignDown(until, step) + step
        if fromInterval == untilInterval { untilInterval += step }
        return (fromInterval, untilInterval)
    }
}
