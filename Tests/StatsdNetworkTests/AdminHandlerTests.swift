import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import StatsdCore
@testable import StatsdNetwork

/// The admin interface answers no faster than its client reads: commands wait, and reading
/// stops, while the channel is not writable.
final class AdminHandlerTests: XCTestCase {
    func testCommandsWaitWhileTheClientDoesNotRead() throws {
        let server = StatsdServer(settings: StatsdServerSettings(), logger: Logger(label: "test"), sink: { _ in })
        defer { try? server.group.syncShutdownGracefully() }
        let channel = EmbeddedChannel()
        // The client's window fills with the first answer.
        try channel.pipeline.syncOperations.addHandler(UnwritableAfterFirstWrite())
        try channel.pipeline.syncOperations.addHandler(AdminHandler(server: server))

        try channel.writeInbound(channel.allocator.buffer(string: "health\nhealth down\nhealth\n"))
        XCTAssertEqual(try answers(channel), ["health: up\n"])
        XCTAssertEqual(autoRead(channel), false, "no more reading while answers wait")

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(try answers(channel), ["health: down\n", "health: down\n"], "the rest, in order")
        XCTAssertEqual(autoRead(channel), true)
        _ = try channel.finish()
    }

    private func answers(_ channel: EmbeddedChannel) throws -> [String] {
        var texts: [String] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            texts.append(String(buffer: buffer))
        }
        return texts
    }

    private func autoRead(_ channel: EmbeddedChannel) -> Bool? {
        channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool
    }
}

/// Marks the embedded channel unwritable once something was written, as a socket whose peer
/// does not read would become past NIO's high watermark.
final class UnwritableAfterFirstWrite: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    private var wrote = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if !wrote { (context.channel as? EmbeddedChannel)?.isWritable = false }
        wrote = true
    }
}
