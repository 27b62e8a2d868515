extension WhisperFile {
    /// Stores points exactly as whisper's `update_many(path, points, now)` does (docs/whisper.md §6):
    /// each point goes to the highest-precision archive whose retention covers its age (future
    /// points to archive 0), points older than every archive are dropped, within one interval
    /// the latest timestamp wins (ties: the first given), and each archive's points are
    /// propagated down until an archive receives nothing.
    ///
    /// Differences from whisper.py, both outside what it can do correctly: contiguous points are
    /// written with one pwrite per run (whisper seeks and writes per run too, but re-reads the
    /// header and base first), and a run longer than the whole ring (only possible with far-future
    /// points) wraps slot by slot instead of spilling into the next archive.
    ///
    /// Returns how many of the given points fell inside some archive (the rest were too old).
    @discardableResult
    public func updateMany(_ points: [WhisperPoint], now: Int) throws -> Int {
        guard !points.isEmpty else { return 0 }
        let ordered = Self.chronological(points)
        guard !ordered.isEmpty else { return 0 }
        return try writeOperation { fd in
            var end = ordered.count
            var stored = 0
            for index in header.archives.indices where end > 0 {
                let oldest = now - header.archives[index].retention
                var start = end
                while start > 0 && ordered[start - 1].timestamp >= oldest { start -= 1 }
                if start < end {
                    try archiveUpdate(index, ordered[start..<end], fd: fd)
                    stored += end - start
                }
                end = start
            }
            return stored
        }
    }

    /// Points in ascending time, equal timestamps in reverse input order: what whisper's stable
    /// descending sort followed by `reverse()` produces.
    /// Timestamps the format cannot hold (negative, or past 2106) are left out.
    static func chronological(_ input: [WhisperPoint]) -> [WhisperPoint] {
        var points = input
        if points.contains(where: { $0.timestamp < 0 || $0.timestamp > Int(UInt32.max) }) {
            points.removeAll { $0.timestamp < 0 || $0.timestamp > Int(UInt32.max) }
        }
        var ascending = true
        for i in points.indices.dropFirst() where points[i - 1].timestamp >= points[i].timestamp {
            ascending = false
            break
        }
        if ascending { return points }
        return points.indices
            .sorted { a, b in
                let ta = points[a].timestamp, tb = points[b].timestamp
                return ta != tb ? ta < tb : a > b
            }
            .map { points[$0] }
    }

    /// `__archive_update_many`: writes one archive's points (ascending) and propagates.
    private func archiveUpdate(_ index: Int, _ points: ArraySlice<WhisperPoint>, fd: Int32) throws {
        let archive = header.archives[index]
        let step = archive.secondsPerPoint
        let pointSize = WhisperHeader.pointSize
        try withUnsafeTemporaryAllocation(byteCount: points.count * pointSize, alignment: 8) { buffer in
            var used = 0
            var runStart = 0
            var previous: Int? = nil
            var base = try self.base(of: index, fd: fd)
            var indexInSlice = points.startIndex
            while indexInSlice < points.endIndex {
                let point = points[indexInSlice]
                let interval = alignDown(point.timestamp, step)
                indexInSlice += 1
                // Of consecutive points in one interval, the last one is kept.
                if indexInSlice < points.endIndex && alignDown(points[indexInSlice].timestamp, step) == interval {
                    continue
                }
                // Python's `not previousInterval` is also true for an interval of 0.
                if let prev = previous, prev != 0, interval != prev + step {
                    try writeRun(buffer, runStart..<used, lastInterval: prev, archive: archive, base: &base, index: index, fd: fd)
                    runStart = used
                }
                buffer.storePoint(interval: interval, value: point.value, at: used)
                used += pointSize
                previous = interval
            }
            if let prev = previous, used > runStart {
                try writeRun(buffer, runStart..<used, lastInterval: prev, archive: archive, base: &base, index: index, fd: fd)
            }
        }
        try propagateDown(from: index, points: points, fd: fd)
    }

    /// Writes one packed run at its ring position, wrapping at the archive's end.
    private func writeRun(
        _ buffer: UnsafeMutableRawBufferPointer, _ range: Range<Int>, lastInterval: Int,
        archive: ArchiveInfo, base: inout Int, index: Int, fd: Int32
    ) throws {
        let count = range.count / WhisperHeader.pointSize
        let startInterval = lastInterval - archive.secondsPerPoint * (count - 1)
        if base == 0 {
            // The file's first write to this archive: the first run lands in slot 0 and
            // thereby defines the base. What slot 0 then holds is what later calls read back.
            base = startInterval
            bases[index] = Int(UnsafeRawBufferPointer(buffer).loadBigEndianUInt32(at: range.lowerBound))
        }
        var position = slotOffset(archive: archive, base: base, interval: startInterval)
        var remaining = range
        while !remaining.isEmpty {
            let n = min(remaining.count, archive.end - position)
            try pwriteFully(fd, UnsafeRawBufferPointer(rebasing: buffer[remaining.lowerBound..<(remaining.lowerBound + n)]), at: position, path: path)
            remaining = (remaining.lowerBound + n)..<remaining.upperBound
            position = archive.offset
        }
    }

    /// For each lower archive in turn, propagates every distinct lower interval the points touch;
    /// stops at the first lower archive that received nothing.
    private func propagateDown(from index: Int, points: ArraySlice<WhisperPoint>, fd: Int32) throws {
        var higher = index
        let step = header.archives[index].secondsPerPoint
        for lower in (index + 1)..<header.archives.count {
            let lowerStep = header.archives[lower].secondsPerPoint
            var propagated = false
            if points.count == 1 {
                let interval = alignDown(alignDown(points[points.startIndex].timestamp, step), lowerStep)
                propagated = try propagate(interval, from: higher, to: lower, fd: fd)
            } else {
                // whisper iterates a Python set here; its order decides which interval defines
                // an empty archive's base, so it is replayed exactly.
                let intervals = points.map { alignDown(alignDown($0.timestamp, step), lowerStep) }
                for interval in PythonSetOrder.iterationOrder(intervals) {
                    if try propagate(interval, from: higher, to: lower, fd: fd) { propagated = true }
                }
            }
            if !propagated { return }
            higher = lower
        }
    }

    /// `__propagate` (docs/whisper.md §5): aggregates the higher slots covering one lower interval and writes
    /// the result if enough of them are known.
    private func propagate(_ timestamp: Int, from higherIndex: Int, to lowerIndex: Int, fd: Int32) throws -> Bool {
        let higher = header.archives[higherIndex]
        let lower = header.archives[lowerIndex]
        let pointSize = WhisperHeader.pointSize
        let lowerStart = alignDown(timestamp, lower.secondsPerPoint)
        let higherBase = try base(of: higherIndex, fd: fd)
        let firstOffset = slotOffset(archive: higher, base: higherBase, interval: lowerStart)
        let slots = lower.secondsPerPoint / higher.secondsPerPoint
        let step = higher.secondsPerPoint
        let value: Double? = try withUnsafeTemporaryAllocation(byteCount: slots * pointSize, alignment: 8) { buffer in
            // Read the covering slots, in two parts when they wrap past the archive's end.
            let head = min(slots * pointSize, higher.end - firstOffset)
            try preadExactly(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<head]), at: firstOffset, path: path)
            if head < buffer.count {
                try preadExactly(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[head...]), at: higher.offset, path: path)
            }
            let raw = UnsafeRawBufferPointer(buffer)
            var known = 0
            for k in 0..<slots where raw.loadInterval(at: k * pointSize) == lowerStart + k * step { known += 1 }
            guard known > 0, Double(known) / Double(slots) >= Double(header.xFilesFactor) else { return nil }
            let neighbours = (0..<slots).lazy.map { k -> Double? in
                raw.loadInterval(at: k * pointSize) == lowerStart + k * step ? raw.loadValue(at: k * pointSize) : nil
            }
            return header.aggregationMethod.aggregate(neighbours)
        }
        guard let aggregate = value else { return false }
        var lowerBase = try base(of: lowerIndex, fd: fd)
        if lowerBase == 0 {
            lowerBase = lowerStart
            bases[lowerIndex] = lowerStart
        }
        let offset = slotOffset(archive: lower, base: lowerBase, interval: lowerStart)
        try withUnsafeTemporaryAllocation(byteCount: pointSize, alignment: 8) { point in
            point.storePoint(interval: lowerStart, value: aggregate, at: 0)
            try pwriteFully(fd, UnsafeRawBufferPointer(point), at: offset, path: path)
        }
        return true
    }
}
