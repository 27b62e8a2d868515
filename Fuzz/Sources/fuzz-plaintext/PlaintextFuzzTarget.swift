@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
import FuzzHarness
import NIOCore
import NIOEmbedded

/// carbon's plaintext protocol: the input as a TCP stream on port 2003 (LineReceiverHandler)
/// and as one UDP datagram (DatagramReceiverHandler), through the real MetricIntake into a
/// MetricCache.
///
/// Oracle: the TCP stream read whole with no white/blacklist (plain names take the batch
/// path) and read in small pieces with an allow-all list (every line takes the per-line path)
/// must leave the same points in the cache.
enum PlaintextFuzzTarget {
    /// Short enough that the fuzzer reaches the over-long-line paths.
    static let maxLineLength = 200

    static func run(_ input: FuzzInput) {
        let clock = WallClockWindow()
        let batched = MetricCache(shardCount: 4)
        receiveStream([input.bytes], into: batched, filters: nil)
        let perLine = MetricCache(shardCount: 4)
        receiveStream(input.chunks, into: perLine, filters: .allowAll)
        fuzzCheckSameContents(batched, "batch path (one read)", perLine, "per-line path (small reads)", since: clock)

        // UDP: a full cache drops what a datagram sender cannot be asked to hold back.
        let datagrams = MetricCache(limits: .init(maxSize: 8, flowControl: false), shardCount: 4)
        receiveDatagram(input.bytes, into: datagrams)
        datagrams.checkTotals()
    }

    static func receiveStream(_ reads: [UnsafeRawBufferPointer], into cache: MetricCache, filters: MetricFilters?) {
        let intake = MetricIntake(cache: cache, timestampResolution: 1, filters: filters, logger: DiscardingLogHandler.logger)
        let connection = PeerConnection(LineReceiverHandler(intake: intake, maxLineLength: maxLineLength, flowControl: nil),
                                        port: 2003)
        connection.deliver(reads)
        connection.hangUp()
    }

    static func receiveDatagram(_ bytes: UnsafeRawBufferPointer, into cache: MetricCache) {
        // MIN_TIMESTAMP_RESOLUTION 0 keeps float timestamps: the other rounding path.
        let intake = MetricIntake(cache: cache, timestampResolution: 0, filters: nil, logger: DiscardingLogHandler.logger)
        let channel = EmbeddedChannel(handler: DatagramReceiverHandler(intake: intake))
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let sender = try! SocketAddress(ipAddress: "127.0.0.1", port: 40000)
        _ = try? channel.writeInbound(AddressedEnvelope(remoteAddress: sender, data: buffer))
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}

@main
enum PlaintextFuzzMain {
    static func main() { FuzzDriver.run(PlaintextFuzzTarget.run) }
}
