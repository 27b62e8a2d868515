import NIOCore

/// statsd's TCP input: newline-framed lines, the whole chunk read as ASCII (high bits dropped,
/// as the reference's `toString('ascii')` does), complete lines parsed into a shared table. An
/// unterminated tail longer than the line limit is discarded and counted.
final class TCPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let table: LockedTable
    private var parser: StatsdPacketParser
    private var pending: [UInt8] = []
    private let maxLineLength: Int

    init(table: LockedTable, settings: StatsdSettings) {
        self.table = table
        parser = StatsdPacketParser(settings: settings)
        maxLineLength = settings.maxLineLength
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let start = pending.count
        buffer.withUnsafeReadableBytes { pending.append(contentsOf: $0) }
        pending.withUnsafeMutableBytes { StatsdPacketParser.stripHighBits(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
        guard let lastNewline = pending.lastIndex(of: 0x0a) else {
            if pending.count > maxLineLength {
                pending.removeAll()
                table.withLock { $0.addInternal(.linesTooLong); $0.addInternal(.badLinesSeen) }
            }
            return
        }
        let now = Int(wallClock())
        table.withLock { table in
            pending.withUnsafeBytes { bytes in
                parser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<lastNewline]), into: &table)
            }
            table.lastMessageSeen = now
        }
        pending.removeSubrange(0...lastNewline)
    }
}
