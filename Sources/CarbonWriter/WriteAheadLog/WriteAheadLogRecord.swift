import CarbonConfig
import CarbonCache

/// One accepted point in a write-ahead log segment: the name's length (4 bytes), the name's
/// bytes, the timestamp and the value (8 bytes each, IEEE 754); every number little-endian.
/// A crash can cut the last record short: reading stops there.
enum WriteAheadLogRecord {
    /// The longest name a record may carry; a longer length field means a damaged segment.
    static let maxNameLength = 1 << 20

    public static func append(name: UnsafeRawBufferPointer, _ point: CachedPoint, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(name.count).littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: name)
        withUnsafeBytes(of: point.timestamp.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: point.value.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
    }

    public static func append(name: String, _ point: CachedPoint, to buffer: inout [UInt8]) {
        var name = name
        name.withUTF8 { append(name: UnsafeRawBufferPointer($0), point, to: &buffer) }
    }

    /// The records of a segment, in order, and whether it ended cleanly (false: a cut-short or
    /// damaged tail, whose bytes are left out).
    static func read(_ bytes: [UInt8]) -> (records: [(name: String, point: CachedPoint)], complete: Bool) {
        var records: [(name: String, point: CachedPoint)] = []
        var at = 0
        return bytes.withUnsafeBytes { raw in
            func uint32(_ offset: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            func uint64(_ offset: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            while at < raw.count {
                guard raw.count - at >= 4 else { return (records, false) }
                let length = Int(uint32(at))
                guard length > 0, length <= maxNameLength, raw.count - at - 4 >= length + 16 else { return (records, false) }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(at + 4)..<(at + 4 + length)]), as: UTF8.self)
                let timestamp = Double(bitPattern: uint64(at + 4 + length))
                let value = Double(bitPattern: uint64(at + 12 + length))
                records.append((name, CachedPoint(timestamp: timestamp, value: value)))
                at += 20 + length
            }
            return (records, true)
        }
    }
}
