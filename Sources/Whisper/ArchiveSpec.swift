/// One archive as a schema asks for it: `secondsPerPoint` precision, `points` slots.
public struct ArchiveSpec: Hashable, Sendable, CustomStringConvertible {
    public var secondsPerPoint: Int
    public var points: Int

    public init(secondsPerPoint: Int, points: Int) {
        self.secondsPerPoint = secondsPerPoint
        self.points = points
    }

    /// Seconds of history this archive covers.
    public var retention: Int { secondsPerPoint * points }

    public var description: String { "(\(secondsPerPoint), \(points))" }

    /// Sorts by precision and applies whisper's `validateArchiveList` rules, plus the limits
    /// of the file format itself (every number must fit the header's unsigned 32-bit fields).
    /// Returns the sorted list, which is the order archives take in the file.
    public static func validated(_ archives: [ArchiveSpec]) throws -> [ArchiveSpec] {
        guard !archives.isEmpty else {
            throw WhisperError.invalidConfiguration("You must specify at least one archive configuration!")
        }
        for (i, archive) in archives.enumerated() {
            guard archive.secondsPerPoint > 0, archive.points > 0 else {
                throw WhisperError.invalidConfiguration(
                    "archive\(i) \(archive): precision and points must both be positive")
            }
            guard archive.secondsPerPoint <= Int(UInt32.max), archive.points <= Int(UInt32.max),
                  archive.secondsPerPoint.multipliedReportingOverflow(by: archive.points).partialValue
                      <= Int(UInt32.max),
                  !archive.secondsPerPoint.multipliedReportingOverflow(by: archive.points).overflow
            else {
                throw WhisperError.invalidConfiguration(
                    "archive\(i) \(archive): retention does not fit whisper's 32-bit header")
            }
        }
        let sorted = archives.enumerated().sorted {
            ($0.element.secondsPerPoint, $0.offset) < ($1.element.secondsPerPoint, $1.offset)
        }.map(\.element)
        for i in 0..<(sorted.count - 1) {
            let archive = sorted[i], next = sorted[i + 1]
            guard archive.secondsPerPoint < next.secondsPerPoint else {
                throw WhisperError.invalidConfiguration(
                    "A Whisper database may not be configured having two archives with the same precision (archive\(i): \(archive), archive\(i + 1): \(next))")
            }
            guard next.secondsPerPoint % archive.secondsPerPoint == 0 else {
                throw WhisperError.invalidConfiguration(
                    "Higher precision archives' precision must evenly divide all lower precision archives' precision (archive\(i): \(archive.secondsPerPoint), archive\(i + 1): \(next.secondsPerPoint))")
            }
            guard next.retention > archive.retention else {
                throw WhisperError.invalidConfiguration(
                    "Lower precision archives must cover larger time intervals than higher precision archives (archive\(i): \(archive.retention) seconds, archive\(i + 1): \(next.retention) seconds)")
            }
            let pointsPerConsolidation = next.secondsPerPoint / archive.secondsPerPoint
            guard archive.points >= pointsPerConsolidation else {
                throw WhisperError.invalidConfiguration(
                    "Each archive must have at least enough points to consolidate to the next archive (archive\(i + 1) consolidates \(pointsPerConsolidation) of archive\(i)'s points but it has only \(archive.points) total points)")
            }
        }
        let size = WhisperHeader.size(archiveCount: sorted.count)
            + sorted.reduce(0) { $0 + $1.points * WhisperHeader.pointSize }
        guard size <= Int(UInt32.max) else {
            throw WhisperError.invalidConfiguration("the file would be \(size) bytes, beyond whisper's 32-bit offsets")
        }
        return sorted
    }
}
