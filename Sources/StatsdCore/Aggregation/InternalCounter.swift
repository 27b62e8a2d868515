/// statsd's own counters (`<prefixStats>.<suffix>`). The first three are the reference's and
/// exist from startup; the others are Stoker's, created the first time they count something.
public enum InternalCounter: Int, Sendable, CaseIterable {
    case badLinesSeen
    case packetsReceived
    case metricsReceived
    /// Lines longer than `maxLineLength` (also counted as bad lines).
    case linesTooLong
    /// Samples dropped because a table already held `maxKeysPerInterval` keys.
    case keysOverLimit
    /// Datagrams the kernel dropped on a full receive buffer (SO_RXQ_OVFL), added by the socket layer.
    case udpDropped
    /// DogStatsD events read (posted to graphite-web's events API when GRAPHITE_URL is set).
    case eventsReceived
    /// DogStatsD events graphite-web accepted, and events dropped from a full posting queue.
    case eventsPosted
    case eventsDropped
    /// DogStatsD service checks read (each is a gauge).
    case serviceChecksReceived

    /// The name after `<prefixStats>.`.
    public var suffix: String {
        switch self {
        case .badLinesSeen: "bad_lines_seen"
        case .packetsReceived: "packets_received"
        case .metricsReceived: "metrics_received"
        case .linesTooLong: "lines_too_long"
        case .keysOverLimit: "keys_over_limit"
        case .udpDropped: "udp_dropped"
        case .eventsReceived: "events_received"
        case .eventsPosted: "events_posted"
        case .eventsDropped: "events_dropped"
        case .serviceChecksReceived: "service_checks_received"
        }
    }

    /// True for the three counters the reference creates at startup.
    public var existsFromStartup: Bool { rawValue <= InternalCounter.metricsReceived.rawValue }

    /// `<prefixStats>.<suffix>`.
    public func key(prefixStats: String) -> String { prefixStats + "." + suffix }
}
