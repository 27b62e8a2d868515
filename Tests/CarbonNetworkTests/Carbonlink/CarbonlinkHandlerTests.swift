import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// Carbonlink answers no faster than its client reads: pipelined requests wait in their
/// buffer, and reading stops, while the channel is not writable.
final class CarbonlinkHandlerTests: XCTestCase {
    /// pickle.dumps({'type': 'cache-query', 'metric': 'hot'}, protocol=2)
    private let query: [UInt8] = [128, 2, 125, 113, 0, 40, 88, 4, 0, 0, 0, 116, 121, 112, 101, 113, 1, 88, 11, 0, 0, 0, 99, 97,
                                  99, 104, 101, 45, 113, 117, 101, 114, 121, 113, 2, 88, 6, 0, 0, 0, 109, 101, 116, 114, 105,
                                  99, 113, 3, 88, 3, 0, 0, 0, 104, 111, 116, 113, 4, 117, 46]

    func testRequestsWaitWhileTheClientDoesNotRead() throws {
        let cache = MetricCache()
        cache.store("hot", .init(timestamp: 100, value: 1))
        let layout = StorageLayout(path: { "/nonexistent/\($0).wsp" }, newFile: { _ in NewFileLayout(archives: []) })
        let writer = CacheWriter(cache: cache, settings: WriterSettings(dataDirectory: "/nonexistent"), layout: layout,
                                 logger: Logger(label: "test"))
        let responder = CarbonlinkResponder(cache: cache, writer: writer, statistics: ReceiverStatistics(), integerTimestamps: false)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(UnwritableAfterFirstWrite())
        try channel.pipeline.syncOperations.addHandler(CarbonlinkHandler(responder: responder, log: RateLimitedLogger(logger: Logger(label: "test"))))

        var requests = channel.allocator.buffer(capacity: 3 * (query.count + 4))
        for _ in 0..<3 {
            requests.writeInteger(UInt32(query.count))
            requests.writeBytes(query)
        }
        try channel.writeInbound(requests)
        XCTAssertEqual(try answerCount(channel), 1)
        XCTAssertEqual(autoRead(channel), false, "no more reading while requests wait")

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(try answerCount(channel), 2, "the rest, once the client reads")
        XCTAssertEqual(autoRead(channel), true)
        _ = try channel.finish()
    }

    private func answerCount(_ channel: EmbeddedChannel) throws -> Int {
        var count = 0
        while try channel.readOutbound(as: ByteBuffer.self) != nil { count += 1 }
        return count
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
