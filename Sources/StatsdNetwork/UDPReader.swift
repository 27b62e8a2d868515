import CNetwork
import Glibc
import Logging
import ServerRuntime
import StatsdCore
import Synchronization

/// One UDP reader: a dedicated thread with its own SO_REUSEPORT socket, receiving batches with
/// recvmmsg into preallocated slots and parsing them in place into its own aggregation table.
/// The flush thread takes the table's contents under its lock once per flush; the reader holds
/// the lock once per batch, so the two almost never meet.
final class UDPReader: Sendable {
    static let slotSize = 65536
    static let slots = 32

    let socket: Int32
    let table: LockedTable
    private let stopping = Atomic<Bool>(false)
    private let settings: StatsdServerSettings
    private let logger: Logger

    init(socket: Int32, settings: StatsdServerSettings, logger: Logger) {
        self.socket = socket
        self.settings = settings
        self.logger = logger
        table = LockedTable(maxKeys: settings.statsd.maxKeysPerInterval)
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    /// The thread body: returns when `stop()` was called (the socket has a receive timeout).
    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.slotSize * Self.slots, alignment: 64)
        defer { buffer.deallocate() }
        var lengths = [Int32](repeating: 0, count: Self.slots)
        var truncated = [UInt8](repeating: 0, count: Self.slots)
        var dropped: UInt32 = 0
        var reportedDropped: UInt32 = 0
        var parser = StatsdPacketParser(settings: settings.statsd)
        while !stopping.load(ordering: .relaxed) {
            let received = lengths.withUnsafeMutableBufferPointer { lengths in
                truncated.withUnsafeMutableBufferPointer { truncated in
                    stoker_recv_batch(socket, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(Self.slotSize),
                                      Int32(Self.slots), lengths.baseAddress!, truncated.baseAddress!, &dropped)
                }
            }
            if received <= 0 {
                if received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    logger.error("event=statsd_receive_error errno=\(errno)")
                    sleepBriefly()
                }
                continue
            }
            let now = Int(wallClockSeconds())
            table.withLock { table in
                for i in 0..<Int(received) {
                    let packet = UnsafeRawBufferPointer(rebasing: buffer[(i * Self.slotSize)..<(i * Self.slotSize + Int(lengths[i]))])
                    if settings.dumpMessages {
                        logger.info("event=statsd_packet bytes=\(packet.count) text=\"\(String(decoding: packet.prefix(400), as: UTF8.self))\"")
                    }
                    parser.parse(packet, into: &table)
                    if truncated[i] != 0 { table.addInternal(.badLinesSeen) }
                }
                if dropped != reportedDropped {
                    table.addInternal(.udpDropped, Int(dropped &- reportedDropped))
                    reportedDropped = dropped
                }
                table.lastMessageSeen = now
            }
        }
    }

    private func sleepBriefly() { sleepSeconds(0.01) }
}

