@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// carbon's pickle receiver (port 2004) on a connection whose cache is returned for checks.
public enum PickleReceiving {
    /// Delivers `reads` to a PickleReceiverHandler with frames capped at `maxLength`, then
    /// hangs up.
    public static func receive(_ reads: [UnsafeRawBufferPointer], into cache: MetricCache, maxLength: Int) {
        let intake = MetricIntake(cache: cache, timestampResolution: 1, filters: nil, logger: DiscardingLogHandler.logger)
        let connection = PeerConnection(PickleReceiverHandler(intake: intake, maxLength: maxLength, flowControl: nil),
                                        port: 2004)
        connection.deliver(reads)
        connection.hangUp()
    }
}
