import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore

/// METRIC_CLIENT_IDLE_TIMEOUT: closes a receiver connection when NIO's IdleStateHandler (placed
/// before it) reports that nothing was read for that long.
final class IdleConnectionCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
