import CarbonConfig
import CarbonCache
import CarbonWriter
import NIOCore

import Glibc

/// carbon's plaintext protocol over TCP: lines cut at `\n`, parsed in place from NIO's buffers.
///
/// Differences from carbon, all in the direction of losing less: a bad line (wrong field
/// count, bad number, invalid UTF-8, non-finite timestamp, longer than the limit) is skipped,
/// counted and logged, and the connection stays up (carbon drops the whole connection for
/// invalid UTF-8, a non-finite timestamp or an over-long line). A last line without `\n` when
/// the peer closes is discarded as carbon does, but counted and logged.
final class LineReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let intake: MetricIntake
    private let maxLineLength: Int
    private let flowControl: FlowControl?
    private var partial: [UInt8] = []
    /// This read's plain datapoints, stored together when the read is consumed.
    private var batch = CacheBatch()
    private var discardingLongLine = false
    private var peer = "?"

    init(intake: MetricIntake, maxLineLength: Int, flowControl: FlowControl?) {
        self.intake = intake
        self.maxLineLength = maxLineLength
        self.flowControl = flowControl
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map(Self.describe) ?? "?"
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { consume($0) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flowControl?.pauseIfFull(context.channel)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !partial.isEmpty && !discardingLongLine {
            intake.statistics.invalidLines.add(1, ordering: .relaxed)
            intake.log.log(.info, kind: "unterminated_line", "event=invalid_line reason=unterminated_last_line peer=\(peer) line=\(quoted(String(decoding: partial, as: UTF8.self)))")
        }
        partial.removeAll()
        context.fireChannelInactive()
    }

    /// Handles one read: complete lines now, the unterminated rest kept for the next read.
    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        let count = bytes.count
        while start < count, let found = memchr(base + start, 0x0a, count - start) {
            let end = base.distance(to: UnsafeRawPointer(found))
            if discardingLongLine {
                discardingLongLine = false
            } else if partial.isEmpty {
                if end - start > maxLineLength {
                    tooLong()
                } else {
                    handleLineInRead(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                }
            } else {
                partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                if partial.count > maxLineLength {
                    tooLong()
                } else {
                    partial.withUnsafeBytes { PlaintextIngest.handle($0, intake: intake, peer: peer) }
                }
                partial.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        intake.accept(batch: &batch)
        guard start < count, !discardingLongLine else { return }
        if partial.count + (count - start) > maxLineLength {
            partial.removeAll()
            discardingLongLine = true
            tooLong()
        } else {
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
        }
    }

    private func tooLong() {
        intake.statistics.invalidLines.add(1, ordering: .relaxed)
        intake.log.log(.warning, kind: "line_too_long", "event=invalid_line reason=line_too_long limit=\(maxLineLength) peer=\(peer)")
    }

    /// A complete line inside the current read: a plain name goes into the batch by its bytes;
    /// anything else (tags, empty components, non-ASCII, filters, errors) takes the per-line path, after the batch
    /// so far is stored to keep the arrival order.
    private func handleLineInRead(_ line: UnsafeRawBufferPointer) {
        if intake.acceptsBatches, case let .success(fields)? = PlaintextLine.parseASCII(line) {
            let name = UnsafeRawBufferPointer(rebasing: line[fields.name])
            if MetricName.isStoredAsReceived(name) {
                switch intake.prepare(value: fields.value, timestamp: fields.timestamp) {
                case let .success(point):
                    batch.append(name: name.baseAddress!, count: name.count, point: point)
                case .failure(.invalidTimestamp):
                    PlaintextIngest.reject(line, reason: "invalid_timestamp", intake: intake, peer: peer)
                case .failure(.nanValue):
                    break
                }
                return
            }
        }
        intake.accept(batch: &batch)
        PlaintextIngest.handle(line, intake: intake, peer: peer)
    }

    static func describe(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }
}

/// Parses one plaintext line and hands the datapoint to the intake; bad lines are counted and
/// logged (rate-limited) with the reason and the line, cut to 400 characters as carbon does.
enum PlaintextIngest {
    static func handle(_ line: UnsafeRawBufferPointer, intake: MetricIntake, peer: String, overflow: MetricCache.Overflow? = nil) {
        switch PlaintextLine.parse(line) {
        case let .success(parsed):
            if intake.accept(name: parsed.name, value: parsed.value, timestamp: parsed.timestamp, overflow: overflow) == .invalidTimestamp {
                reject(line, reason: "invalid_timestamp", intake: intake, peer: peer)
            }
        case let .failure(problem):
            // Blank lines are not worth a log line; carbon ignores them as invalid too.
            if problem == .fieldCount && line.allSatisfy(PlaintextLine.isASCIIWhitespace) {
                intake.statistics.invalidLines.add(1, ordering: .relaxed)
                return
            }
            reject(line, reason: problem.rawValue, intake: intake, peer: peer)
        }
    }

    static func reject(_ line: UnsafeRawBufferPointer, reason: String, intake: MetricIntake, peer: String) {
        intake.statistics.invalidLines.add(1, ordering: .relaxed)
        intake.log.log(.info, kind: "invalid_line:\(reason)",
                       "event=invalid_line reason=\(reason) peer=\(peer) line=\(quoted(String(decoding: line.prefix(400), as: UTF8.self)))")
    }
}
