/// A fetched series: values for intervals `from + k·step`, k = 0 ..< values.count;
/// nil where the slot holds no point for that interval.
public struct WhisperSeries: Sendable, Equatable {
    public var fromInterval: Int
    public var untilInterval: Int
    public var step: Int
    public var values: [Double?]

    /// (timestamp, value) pairs in time order, as whisper-fetch prints them.
    public var points: [(timestamp: Int, value: Double?)] {
        values.enumerated().map { (fromInterval + $0.offset * step, $0.element) }
    }
}

extension WhisperFile {
    /// `whisper.fetch(path, from, until, now, archiveToSelect)` (docs/whisper.md §8): the intervals in
    /// (align(from), align(until)] of the best archive covering `from`. nil when the range lies in
    /// the future or before the oldest retained point. `archiveStep` forces the archive with
    /// that many seconds per point.
    public func fetch(from: Int, until: Int? = nil, now: Int, archiveStep: Int? = nil) throws -> WhisperSeries? {
        guard let window = try WhisperFetchWindow(header: header, from: from, until: until, now: now, archiveStep: archiveStep) else {
            return nil
        }
        return try fetch(window)
    }

    /// The fetch of a window computed beforehand (for this file's header).
    public func fetch(_ window: WhisperFetchWindow) throws -> WhisperSeries {
        try archiveFetch(window.archiveIndex, from: window.from, until: window.until)
    }

    private func archiveFetch(_ index: Int, from: Int, until: Int) throws -> WhisperSeries {
        let archive = header.archives[index]
        let step = archive.secondsPerPoint
        let pointSize = WhisperHeader.pointSize
        let (fromInterval, untilInterval) = WhisperFetchWindow.intervals(from: from, until: until, step: step)

        let fd = try descriptor()
        let base = try self.base(of: index, fd: fd)
        if base == 0 {
            let count = floorDiv(untilInterval - fromInterval, step)
            return WhisperSeries(fromInterval: fromInterval, untilInterval: untilInterval, step: step,
                                 values: Array(repeating: nil, count: count))
        }
        let fromOffset = slotOffset(archive: archive, base: base, interval: fromInterval)
        let untilOffset = slotOffset(archive: archive, base: base, interval: untilInterval)
        // Same slot for both ends means the whole ring, starting at `from`.
        let byteCount = fromOffset < untilOffset ? untilOffset - fromOffset : archive.size - (fromOffset - untilOffset)
        var values: [Double?] = []
        values.reserveCapacity(byteCount / pointSize)
        try withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 8) { buffer in
            let head = min(byteCount, archive.end - fromOffset)
            try preadExactly(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<head]), at: fromOffset, path: path)
            if head < byteCount {
                try preadExactly(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[head...]), at: archive.offset, path: path)
            }
            let raw = UnsafeRawBufferPointer(buffer)
            var expected = fromInterval
            for k in 0..<(byteCount / pointSize) {
                values.append(raw.loadInterval(at: k * pointSize) == expected ? raw.loadValue(at: k * pointSize) : nil)
                expected += step
            }
        }
        return WhisperSeries(fromInterval: fromInterval, untilInterval: untilInterval, step: step, values: values)
    }
}
