import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import FuzzHarness
import Pickle

/// The pickle decoder on the input as one payload (what a frame from port 2004 or 7002
/// carries), then that payload framed and received by carbon's pickle receiver.
///
/// Oracles: a decoded pickle's end lies inside the input; whatever the encoder accepts of the
/// decoded value decodes again, and encoding that gives the very same bytes.
enum PickleFuzzTarget {
    static let decoder = PickleDecoder()
    static let encoder = PickleEncoder()

    static func run(_ input: FuzzInput) {
        if let (value, consumed) = try? decoder.decodePrefix(input.bytes) {
            fuzzCheck(consumed > 0 && consumed <= input.bytes.count, "consumed \(consumed) of \(input.bytes.count) bytes")
            roundTrip(value)
        }
        guard let header = try? PickleFrame.header(length: input.bytes.count) else { return }
        let frame = header + Array(input.bytes)
        let cache = MetricCache(shardCount: 4)
        frame.withUnsafeBytes { PickleReceiving.receive([$0], into: cache, maxLength: PickleFrame.receiverMaxLength) }
        cache.checkTotals()
    }

    static func roundTrip(_ value: PickleValue) {
        guard let encoded = try? encoder.encode(value) else { return }
        let decoded: PickleValue
        do {
            decoded = try decoder.decode(encoded)
        } catch {
            fuzzCheck(false, "the encoder's pickle of \(value) does not decode: \(error)")
            return
        }
        let again = try? encoder.encode(decoded)
        fuzzCheck(again == encoded, "re-encoding \(decoded) gave other bytes than \(value)")
    }
}

@main
enum PickleFuzzMain {
    static func main() { FuzzDriver.run(PickleFuzzTarget.run) }
}
