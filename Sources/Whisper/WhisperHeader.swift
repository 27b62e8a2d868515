/// Where one archive lives in the file and what it holds.
public struct ArchiveInfo: Hashable, Sendable {
    /// Byte offset of the archive's first slot.
    public var offset: Int
    public var secondsPerPoint: Int
    public var points: Int

    public var retention: Int { secondsPerPoint * points }
    /// Bytes the archive occupies (12 per slot).
    public var size: Int { points * WhisperHeader.pointSize }
    public var end: Int { offset + size }
}

/// The parsed header of a whisper file: 16 bytes of metadata then 12 per archive, big-endian.
public struct WhisperHeader: Hashable, Sendable {
    public static let metadataSize = 16
    public static let archiveInfoSize = 12
    public static let pointSize = 12

    public var aggregationMethod: AggregationMethod
    public var maxRetention: Int
    /// Stored as float32; comparisons use this value widened to Double, exactly as whisper does.
    public var xFilesFactor: Float
    public var archives: [ArchiveInfo]

    public static func size(archiveCount: Int) -> Int { metadataSize + archiveInfoSize * archiveCount }

    public var size: Int { Self.size(archiveCount: archives.count) }
    /// Total file size the header describes.
    public var fileSize: Int { archives.last.map(\.end) ?? size }

    /// The header of a new file, archives laid out one after another in precision order.
    public init(archives specs: [ArchiveSpec], xFilesFactor: Float, aggregationMethod: AggregationMethod) {
        var offset = Self.size(archiveCount: specs.count)
        var infos: [ArchiveInfo] = []
        infos.reserveCapacity(specs.count)
        for spec in specs {
            infos.append(ArchiveInfo(offset: offset, secondsPerPoint: spec.secondsPerPoint, points: spec.points))
            offset += spec.points * Self.pointSize
        }
        self.aggregationMethod = aggregationMethod
        self.maxRetention = specs.map(\.retention).max() ?? 0
        self.xFilesFactor = xFilesFactor
        self.archives = infos
    }

    /// Encodes the header bytes as whisper writes them.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            encodeMetadata(into: raw)
            for (i, archive) in archives.enumerated() {
                let at = Self.metadataSize + i * Self.archiveInfoSize
                raw.storeBigEndian(UInt32(archive.offset), at: at)
                raw.storeBigEndian(UInt32(archive.secondsPerPoint), at: at + 4)
                raw.storeBigEndian(UInt32(archive.points), at: at + 8)
            }
        }
        return bytes
    }

    /// Writes the 16 metadata bytes (type, maxRetention, xff, count) at the start of `raw`.
    func encodeMetadata(into raw: UnsafeMutableRawBufferPointer) {
        raw.storeBigEndian(aggregationMethod.rawValue, at: 0)
        raw.storeBigEndian(UInt32(truncatingIfNeeded: maxRetention), at: 4)
        raw.storeBigEndian(xFilesFactor.bitPattern, at: 8)
        raw.storeBigEndian(UInt32(archives.count), at: 12)
    }

    /// Parses the metadata block; `archiveCount` tells how many archive entries follow.
    static func parseMetadata(_ raw: UnsafeRawBufferPointer, path: String) throws
        -> (method: AggregationMethod, maxRetention: Int, xff: Float, archiveCount: Int)
    {
        guard raw.count >= metadataSize else { throw WhisperError.corrupt(path: path, reason: "Unable to read header") }
        let type = raw.loadBigEndianUInt32(at: 0)
        guard let method = AggregationMethod(rawValue: type) else {
            throw WhisperError.corrupt(path: path, reason: "Unable to read header: unknown aggregation type \(type)")
        }
        let xff = Float(bitPattern: raw.loadBigEndianUInt32(at: 8))
        guard xff >= 0, xff <= 1 else {
            throw WhisperError.corrupt(path: path, reason: "Unable to read header: xFilesFactor \(xff) outside [0, 1]")
        }
        return (method, Int(raw.loadBigEndianUInt32(at: 4)), xff, Int(raw.loadBigEndianUInt32(at: 12)))
    }

    /// Parses and checks a whole header. Stricter than whisper.py: an archive table that
    /// points outside the file or has a zero step is refused here, not met later as a
    /// division by zero or a read past the end.
    public init(parsing raw: UnsafeRawBufferPointer, fileSize: Int, path: String) throws {
        let meta = try Self.parseMetadata(raw, path: path)
        guard meta.archiveCount > 0 else {
            throw WhisperError.corrupt(path: path, reason: "Unable to read header: no archives")
        }
        let headerSize = Self.size(archiveCount: meta.archiveCount)
        guard headerSize <= fileSize, raw.count >= headerSize else {
            throw WhisperError.corrupt(path: path, reason: "Unable to read archive\(raw.count < headerSize ? max(0, (raw.count - Self.metadataSize) / Self.archiveInfoSize) : 0) metadata: file is \(fileSize) bytes")
        }
        var archives: [ArchiveInfo] = []
        archives.reserveCapacity(meta.archiveCount)
        for i in 0..<meta.archiveCount {
            let at = Self.metadataSize + i * Self.archiveInfoSize
            let info = ArchiveInfo(
                offset: Int(raw.loadBigEndianUInt32(at: at)),
                secondsPerPoint: Int(raw.loadBigEndianUInt32(at: at + 4)),
                points: Int(raw.loadBigEndianUInt32(at: at + 8)))
            guard info.secondsPerPoint > 0, info.points > 0 else {
                throw WhisperError.corrupt(path: path, reason: "archive\(i) has \(info.secondsPerPoint) seconds per point and \(info.points) points")
            }
            guard info.offset >= headerSize, info.end <= fileSize else {
                throw WhisperError.corrupt(path: path, reason: "archive\(i) spans bytes \(info.offset)..<\(info.end) but the file is \(fileSize) bytes")
            }
            if let previous = archives.last {
                guard info.secondsPerPoint > previous.secondsPerPoint,
                      info.secondsPerPoint % previous.secondsPerPoint == 0,
                      previous.points >= info.secondsPerPoint / previous.secondsPerPoint
                else {
                    throw WhisperError.corrupt(path: path, reason: "archive\(i) (\(info.secondsPerPoint)s) does not consolidate archive\(i - 1) (\(previous.secondsPerPoint)s)")
                }
            }
            archives.append(info)
        }
        self.aggregationMethod = meta.method
        self.maxRetention = meta.maxRetention
        self.xFilesFactor = meta.xff
        self.archives = archives
    }
}
