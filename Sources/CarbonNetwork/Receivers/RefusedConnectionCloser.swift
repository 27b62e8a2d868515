import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore

/// Closes a connection made while MAX_RECEIVER_CONNECTIONS are already open, as soon as it is
/// active; nothing it sent is read.
final class RefusedConnectionCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
