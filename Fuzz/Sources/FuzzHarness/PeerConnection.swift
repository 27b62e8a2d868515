import NIOCore
import NIOEmbedded

/// One receiver handler on an EmbeddedChannel: a connected peer whose reads reach the handler
/// exactly as NIO delivers them (channelRead, then channelReadComplete), without a socket.
public struct PeerConnection {
    public let channel: EmbeddedChannel

    /// Connects `handler` to a peer at 127.0.0.1:`port` (channelActive sees its address).
    public init(_ handler: ChannelHandler, port: Int = 40000) {
        channel = EmbeddedChannel(handler: handler)
        let peer = try! SocketAddress(ipAddress: "127.0.0.1", port: port)
        channel.remoteAddress = peer
        channel.connect(to: peer, promise: nil)
    }

    /// Delivers `reads` one by one; stops when the handler closed the connection.
    public func deliver(_ reads: [UnsafeRawBufferPointer]) {
        for read in reads {
            guard channel.isActive else { return }
            var buffer = channel.allocator.buffer(capacity: read.count)
            buffer.writeBytes(read)
            do { try channel.writeInbound(buffer) } catch { return }
        }
    }

    /// The peer hangs up (channelInactive runs); true when the handler had closed it already.
    @discardableResult
    public func hangUp() -> Bool {
        let wasOpen = channel.isActive
        if wasOpen { _ = try? channel.finish(acceptAlreadyClosed: true) }
        // A close the handler asked for tears the pipeline down in a task on the loop; an
        // EmbeddedEventLoop runs tasks only when told to (else channel and loop leak).
        channel.embeddedEventLoop.run()
        return !wasOpen
    }

    /// Everything the handler wrote back, in order.
    public func written() -> [ByteBuffer] {
        var buffers: [ByteBuffer] = []
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) { buffers.append(buffer) }
        return buffers
    }
}
