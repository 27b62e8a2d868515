/// One member of a statsd set: the value text's bytes, compared exactly (`1` and `1.0` differ).
/// Invalid UTF-8 is stored as U+FFFD, as statsd's decoding leaves it.
public struct SetMember: Hashable, Sendable {
    public let bytes: [UInt8]

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let buffer = UnsafeBufferPointer(start: p, count: n)
        if buffer.contains(where: { $0 >= 0x80 }) {
            bytes = Array(String(decoding: buffer, as: UTF8.self).utf8)
        } else {
            bytes = Array(buffer)
        }
    }

    public init(_ text: String) { bytes = Array(text.utf8) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
