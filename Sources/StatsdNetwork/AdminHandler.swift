import NIOCore
import StatsdCore

/// statsd's management interface (mgmt_port): the commands of each received chunk are answered
/// one by one, in order.
///
/// Answers go out no faster than the client reads them: while the channel is not writable
/// (NIO's high watermark of unsent bytes), the remaining commands wait and the connection stops
/// reading. Otherwise nine bytes, `counters\n`, that ask for a megabyte-long answer could be
/// repeated by a client that never reads until the process runs out of memory.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: StatsdServer
    /// Commands received and not answered yet: `waiting[next...]`. At most what one read
    /// cycle brings, since reading stops while any wait.
    private var waiting: [String] = []
    private var next = 0
    private var readingPaused = false

    init(server: StatsdServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let chunk = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) ?? ""
        waiting += AdminCommands.commands(inChunk: chunk)
        answerWhileWritable(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { answerWhileWritable(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func answerWhileWritable(context: ChannelHandlerContext) {
        var wrote = false
        while next < waiting.count && context.channel.isWritable {
            let response = server.respondToAdmin(waiting[next])
            next += 1
            if !response.text.isEmpty {
                var out = context.channel.allocator.buffer(capacity: response.text.utf8.count)
                out.writeString(response.text)
                context.write(wrapOutboundOut(out), promise: nil)
                wrote = true
            }
            if response.closeConnection {
                waiting.removeAll()
                next = 0
                if wrote { context.flush() }
                context.close(promise: nil)
                return
            }
        }
        if wrote { context.flush() }
        if next == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            next = 0
        }
        pauseReading(!waiting.isEmpty, context: context)
    }

    private func pauseReading(_ pause: Bool, context: ChannelHandlerContext) {
        guard pause != readingPaused else { return }
        readingPaused = pause
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: !pause).whenSuccess {
            if !pause { channel.read() }
        }
    }
}
