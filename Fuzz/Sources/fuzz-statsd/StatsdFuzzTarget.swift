import FuzzHarness
@testable import StatsdCore
@testable import StatsdNetwork

/// statsd input: the input as one UDP datagram (the reader's parse, with and without key
/// sanitising, under a small key limit) and as a TCP stream in small reads (TCPLineHandler:
/// high bits cleared, lines across reads); then what the server does next with the tables:
/// absorb into the state, flush twice (percentiles, histograms, between-flush rules) and
/// render the upstream plaintext.
enum StatsdFuzzTarget {
    static let settings: StatsdSettings = {
        var settings = StatsdSettings()
        settings.percentThreshold = [90, -10, 99.5]
        settings.histogram = [HistogramRule(metric: "h", bins: [.bound(0.5), .bound(10), .infinity]),
                              HistogramRule(metric: "", bins: [.bound(100)])]
        settings.maxLineLength = 256
        return settings
    }()

    static func run(_ input: FuzzInput) {
        var state = StatsdState(settings: settings, startupTime: 1_700_000_000)

        var datagram = AggregationTable(maxKeys: settings.maxKeysPerInterval)
        var parser = StatsdPacketParser(settings: settings)
        parser.parse(input.bytes, into: &datagram)
        state.absorb(&datagram)

        var unsanitised = settings
        unsanitised.keyNameSanitize = false
        unsanitised.maxKeysPerInterval = 8
        var limited = AggregationTable(maxKeys: unsanitised.maxKeysPerInterval)
        var rawParser = StatsdPacketParser(settings: unsanitised)
        rawParser.parse(input.bytes, into: &limited)
        state.absorb(&limited)

        let tcpTable = LockedTable(maxKeys: settings.maxKeysPerInterval)
        let connection = PeerConnection(TCPLineHandler(table: tcpTable, settings: settings), port: 8125)
        connection.deliver(input.chunks)
        connection.hangUp()
        tcpTable.withLock { state.absorb(&$0) }

        // DogStatsD events as they would be posted to graphite-web.
        for event in state.table.extras.takeEvents() { _ = EventPoster.body(event) }
        let first = state.flush(timestamp: 1_700_000_010, clock: { 0 })
        _ = first.plaintext()
        let second = state.flush(timestamp: 1_700_000_020, clock: { 0 })
        _ = second.plaintext()
    }
}

@main
enum StatsdFuzzMain {
    static func main() { FuzzDriver.run(StatsdFuzzTarget.run) }
}
