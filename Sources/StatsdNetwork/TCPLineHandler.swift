import NIOCore
import ServerRuntime
import StatsdCore

/// statsd's TCP input: newline-framed lines, the whole chunk read as ASCII (high bits dropped,
/// as the reference's `toString('ascii')` does), complete lines parsed into a shared table. An
/// unterminated tail longer than the line limit is discarded and counted, and so is the rest
/// of that line when it arrives.
final class TCPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let table: LockedTable
    private var parser: StatsdPacketParser
    private var pending: [UInt8] = []
    /// An over-long unterminated line was dropped; its remainder is skipped up to the newline.
    private var discardingLongLine = false
    private let maxLineLength: Int

    init(table: LockedTable, settings: StatsdSettings) {
        self.table = table
        parser = StatsdPacketParser(settings: settings)
        maxLineLength = settings.maxLineLength
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let start = pending.count
        buffer.withUnsafeReadableBytes { bytes in
            var from = 0
            if discardingLongLine {
                // The rest of a line already dropped as too long: skip to its end.
                guard let newline = bytes.firstIndex(of: 0x0a) else { return }
                discardingLongLine = false
                from = newline + 1
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from...]))
        }
        pending.withUnsafeMutableBytes { StatsdPacketParser.stripHighBits(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        guard let lastNewline = pending.lastIndex(of: 0x0a) else {
            if pending.count > maxLineLength {
                pending.removeAll()
                discardingLongLine = true
                table.withLock { $0.addInternal(.linesTooLong); $0.addInternal(.badLinesSeen) }
            }
            return
        }
        let now = Int(wallClockSeconds())
        table.withLock { table in
            pending.withUnsafeBytes { bytes in
                parser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<lastNewline]), into: &table)
            }
            table.lastMessageSeen = now
        }
        pending.removeSubrange(0...lastNewline)
    }
}
