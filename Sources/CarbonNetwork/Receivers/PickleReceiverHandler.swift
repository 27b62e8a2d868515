import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore
import Pickle

/// carbon's pickle protocol (docs/carbon.md §4): 4-byte big-endian length, then a pickled list of
/// `(metric, (timestamp, value))`, decoded by Stoker's safe decoder (data opcodes only: a
/// GLOBAL, REDUCE, BUILD or any other code-bearing opcode refuses the whole frame).
///
/// As in carbon: a refused frame is logged and dropped with the connection kept; an entry of
/// the wrong shape or with a value `float()` refuses is skipped; a frame longer than
/// PICKLE_RECEIVER_MAX_LENGTH closes the connection. Unlike carbon, a non-string metric name
/// or an `inf` timestamp costs only that entry (carbon drops the connection), and skipped
/// entries are counted.
final class PickleReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let intake: MetricIntake
    private let flowControl: FlowControl?
    private var frames: PickleFrame
    private let decoder = PickleDecoder()
    private var peer = "?"

    init(intake: MetricIntake, maxLength: Int, flowControl: FlowControl?) {
        self.intake = intake
        self.flowControl = flowControl
        frames = PickleFrame(maxLength: maxLength)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map(LineReceiverHandler.describe) ?? "?"
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { frames.append($0) }
        do {
            while let frame = try frames.next() {
                handle(frame)
            }
        } catch {
            intake.statistics.invalidPickles.add(1, ordering: .relaxed)
            intake.log.log(.warning, kind: "pickle_frame_too_long",
                           "event=invalid_pickle reason=frame_too_long peer=\(peer) error=\(quoted("\(error)"))")
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flowControl?.pauseIfFull(context.channel)
        context.fireChannelReadComplete()
    }

    private func handle(_ frame: [UInt8]) {
        let value: PickleValue
        do {
            value = try decoder.decode(frame)
        } catch {
            intake.statistics.invalidPickles.add(1, ordering: .relaxed)
            intake.log.log(.warning, kind: "invalid_pickle",
                           "event=invalid_pickle peer=\(peer) bytes=\(frame.count) error=\(quoted("\(error)"))")
            return
        }
        guard let entries = value.asSequence else {
            intake.statistics.invalidPickles.add(1, ordering: .relaxed)
            intake.log.log(.warning, kind: "invalid_pickle", "event=invalid_pickle peer=\(peer) reason=not_a_list")
            return
        }
        for entry in entries {
            guard let pair = entry.asSequence, pair.count == 2, let name = pair[0].asString,
                  let point = pair[1].asSequence, point.count == 2,
                  let timestamp = point[0].asDouble, let value = point[1].asDouble
            else {
                rejectEntry(entry, reason: "bad_entry")
                continue
            }
            if intake.accept(name: name, value: value, timestamp: timestamp) == .invalidTimestamp {
                rejectEntry(entry, reason: "invalid_timestamp")
            }
        }
    }

    private func rejectEntry(_ entry: PickleValue, reason: String) {
        intake.statistics.invalidLines.add(1, ordering: .relaxed)
        intake.log.log(.info, kind: "pickle_entry:\(reason)",
                       "event=invalid_datapoint reason=\(reason) peer=\(peer) entry=\(quoted(String("\(entry)".prefix(400))))")
    }
}
