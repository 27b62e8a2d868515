/// Length-prefixed framing of ports 2004 and 7002 (Twisted's `Int32StringReceiver`): each
/// message is a 4-byte big-endian unsigned length followed by that many bytes.
///
/// An instance is the incremental reader for one connection: `append` whatever the socket
/// delivered, then call `next()` until it returns nil. Several frames may arrive in one read
/// and one frame may span many. A header declaring more than `maxLength` throws as soon as
/// the 4 header bytes are in, without waiting for (or buffering) the body; the reader then
/// stays failed, and the caller is expected to close the connection, as carbon does.
public struct PickleFrame: Sendable {
    /// carbon's `PICKLE_RECEIVER_MAX_LENGTH` default (1 MiB), for port 2004.
    public static let receiverMaxLength = 1 << 20
    /// Largest carbonlink request, port 7002: 32 MiB. carbon allows 1 GiB, which lets one
    /// client make the server buffer 1 GiB per connection; graphite-web's largest request, a
    /// cache-query-bulk, carries its metric names (100 k names of 100 bytes are 10 MB).
    public static let carbonlinkMaxLength = 1 << 25

    /// Largest accepted payload length in bytes.
    public let maxLength: Int

    private var buffer: [UInt8] = []
    /// Offset of the first unconsumed byte; consumed bytes are dropped lazily.
    private var start = 0
    private var failure: PickleFrameError?

    public init(maxLength: Int = PickleFrame.receiverMaxLength) {
        self.maxLength = maxLength
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if failure != nil { return }  // the connection is being closed; do not grow
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the connection.
    public mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        if failure != nil { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete payload (without its header), nil when more bytes are needed.
    public mutating func next() throws(PickleFrameError) -> [UInt8]? {
        if let failure { throw failure }
        guard bufferedByteCount >= 4 else { return nil }
        var declared: UInt32 = 0
        for i in 0..<4 { declared = declared << 8 | UInt32(buffer[start + i]) }
        // Compare as UInt64 so no platform Int width can make this overflow.
        guard UInt64(declared) <= UInt64(max(0, maxLength)) else {
            let error = PickleFrameError.tooLong(declared: declared, maximum: maxLength)
            failure = error
            buffer = []
            start = 0
            throw error
        }
        let length = Int(declared)
        guard bufferedByteCount - 4 >= length else { return nil }
        let bodyStart = start + 4
        let payload = Array(buffer[bodyStart..<(bodyStart + length)])
        start = bodyStart + length
        return payload
    }

    /// `payload` with its 4-byte big-endian length in front.
    public static func encode(_ payload: [UInt8]) throws(PickleFrameError) -> [UInt8] {
        var framed = try header(length: payload.count)
        framed.append(contentsOf: payload)
        return framed
    }

    /// The 4-byte header for a payload of `length` bytes.
    public static func header(length: Int) throws(PickleFrameError) -> [UInt8] {
        guard length >= 0, UInt64(length) <= UInt64(UInt32.max) else { throw .payloadTooLarge(length) }
        let value = UInt32(length)
        return [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Drops consumed bytes once they are at least half the buffer, so the cost of moving the
    /// unconsumed tail stays linear in the bytes received.
    private mutating func compact() {
        if start == 0 { return }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
