import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import FuzzHarness
import Pickle

/// Port 2004 as a byte stream: the input is what a sender wrote on the connection (length
/// headers and pickles), read whole and in small pieces by carbon's pickle receiver, with a
/// small PICKLE_RECEIVER_MAX_LENGTH so that over-long frames close the connection.
///
/// Oracle: however the stream is segmented, the same frames are decoded, so the cache ends up
/// with the same points.
enum PickleFrameFuzzTarget {
    static let maxLength = 512

    static func run(_ input: FuzzInput) {
        let clock = WallClockWindow()
        let whole = MetricCache(shardCount: 4)
        PickleReceiving.receive([input.bytes], into: whole, maxLength: maxLength)
        let pieces = MetricCache(shardCount: 4)
        PickleReceiving.receive(input.chunks, into: pieces, maxLength: maxLength)
        fuzzCheckSameContents(whole, "one read", pieces, "small reads", since: clock)
    }
}

@main
enum PickleFrameFuzzMain {
    static func main() { FuzzDriver.run(PickleFrameFuzzTarget.run) }
}
