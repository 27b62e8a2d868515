import NIOCore
import Pickle

/// One carbonlink connection: any number of length-prefixed pickled requests, each answered
/// in order with a length-prefixed protocol-2 pickle. A request that cannot be understood at
/// all (not a dict, no type, undecodable) closes the connection, as carbon does; requests are
/// capped at 1 GiB as in carbon.
final class CarbonlinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: CarbonlinkResponder
    private let log: RateLimitedLogger
    private var frames = PickleFrame(maxLength: PickleFrame.carbonlinkMaxLength)
    private let decoder = PickleDecoder()
    private let encoder = PickleEncoder()

    init(responder: CarbonlinkResponder, log: RateLimitedLogger) {
        self.responder = responder
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { frames.append($0) }
        var wrote = false
        do {
            while let frame = try frames.next() {
                let request = try CarbonlinkRequest(try decoder.decode(frame))
                let answer = try encoder.encode(responder.answer(request))
                var out = context.channel.allocator.buffer(capacity: answer.count + 4)
                out.writeInteger(UInt32(answer.count))
                out.writeBytes(answer)
                context.write(wrapOutboundOut(out), promise: nil)
                wrote = true
            }
        } catch {
            log.log(.warning, kind: "carbonlink_request", "event=invalid_carbonlink_request peer=\(context.remoteAddress.map(LineReceiverHandler.describe) ?? "?") error=\(quoted("\(error)"))")
            if wrote { context.flush() }
            context.close(promise: nil)
            return
        }
        if wrote { context.flush() }
    }
}
