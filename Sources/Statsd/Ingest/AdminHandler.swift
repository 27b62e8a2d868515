import NIOCore

/// statsd's management interface (mgmt_port): each received chunk is answered line by line.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: StatsdServer

    init(server: StatsdServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let chunk = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) ?? ""
        let response = server.respondToAdmin(chunk)
        if !response.text.isEmpty {
            var out = context.channel.allocator.buffer(capacity: response.text.utf8.count)
            out.writeString(response.text)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
        if response.closeConnection {
            context.close(promise: nil)
        }
    }
}
