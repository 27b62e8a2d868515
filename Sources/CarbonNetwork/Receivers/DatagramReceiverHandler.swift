import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore

/// carbon's plaintext protocol over UDP: each datagram is a batch of lines; the last line
/// needs no newline. Lines end at `\n`, `\r`, `\v`, `\f` and `\x1c`-`\x1e` (the ASCII line
/// boundaries of Python's `splitlines()`).
///
/// Unlike carbon, a datagram is read up to 64 KiB (carbon cuts it at 8192 bytes and may turn
/// the cut line into a wrong point), and one bad line (invalid UTF-8 included) costs only
/// that line, not the datagram. A datagram sender cannot be paused, so when the cache is full
/// its points are dropped and counted (carbon stops reading and the kernel drops them unseen).
final class DatagramReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let intake: MetricIntake

    init(intake: MetricIntake) {
        self.intake = intake
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let peer = envelope.remoteAddress.ipAddress ?? "?"
        envelope.data.withUnsafeReadableBytes { bytes in
            var start = 0
            for i in 0..<bytes.count where Self.endsLine(bytes[i]) {
                if i > start { PlaintextIngest.handle(UnsafeRawBufferPointer(rebasing: bytes[start..<i]), intake: intake, peer: peer, overflow: .drop) }
                start = i + 1
            }
            if start < bytes.count {
                PlaintextIngest.handle(UnsafeRawBufferPointer(rebasing: bytes[start...]), intake: intake, peer: peer, overflow: .drop)
            }
        }
    }

    @inline(__always)
    static func endsLine(_ byte: UInt8) -> Bool {
        byte == 0x0a || byte == 0x0d || byte == 0x0b || byte == 0x0c || (byte >= 0x1c && byte <= 0x1e)
    }
}
