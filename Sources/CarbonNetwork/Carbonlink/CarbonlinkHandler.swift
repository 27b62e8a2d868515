import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore
import Pickle

/// One carbonlink connection: any number of length-prefixed pickled requests, each answered
/// in order with a length-prefixed protocol-2 pickle. A request that cannot be understood at
/// all (not a dict, no type, undecodable) closes the connection, as carbon does; requests are
/// capped at `PickleFrame.carbonlinkMaxLength`.
///
/// Answers go out no faster than the client reads them: while the channel is not writable
/// (NIO's high watermark of unsent bytes), the requests already received wait in their
/// buffer and the connection stops reading. Otherwise a client that pipelines small queries
/// for a metric with many cached points, and never reads, would grow the process's memory
/// without bound.
final class CarbonlinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: CarbonlinkResponder
    private let log: RateLimitedLogger
    private var frames = PickleFrame(maxLength: PickleFrame.carbonlinkMaxLength)
    private let decoder = PickleDecoder()
    private let encoder = PickleEncoder()
    private var readingPaused = false

    init(responder: CarbonlinkResponder, log: RateLimitedLogger) {
        self.responder = responder
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { frames.append($0) }
        answerWhileWritable(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { answerWhileWritable(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func answerWhileWritable(context: ChannelHandlerContext) {
        var wrote = false
        do {
            while context.channel.isWritable, let frame = try frames.next() {
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
        pauseReading(!context.channel.isWritable, context: context)
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
