/// Everything the `[statsd]` section configures: statsd's own option names (lower-cased as
/// the INI reader gives them) plus Stoker's additions.
public struct StatsdServerSettings: Sendable, Equatable {
    /// Stoker: run statsd at all (on by default, as the drop-in for statsd + carbon).
    public var enabled = true
    /// `address` / `port`: the UDP listener (and `address_ipv6` to listen on `::` instead).
    public var address = "0.0.0.0"
    public var port = 8125
    public var addressIPv6 = false
    /// `mgmt_address` / `mgmt_port`: the admin interface.
    public var managementAddress = "0.0.0.0"
    public var managementPort = 8126
    /// Stoker: newline-framed TCP input (0 = off); `tcp_port` defaults to `port`.
    public var tcpAddress = "0.0.0.0"
    public var tcpPort = 8125
    /// Stoker: UDP reader threads, each with its own SO_REUSEPORT socket.
    public var readerThreads = 2
    /// Stoker: requested SO_RCVBUF per reader socket (SO_RCVBUFFORCE when root).
    public var receiveBuffer = 32 << 20
    /// `graphiteHost` / `graphitePort`: also send each flush upstream as plaintext.
    public var graphiteHost: String?
    public var graphitePort = 2003
    /// Stoker: flushes kept for an upstream that is down; beyond it the oldest is dropped (counted).
    public var forwardBufferFlushes = 360
    /// Stoker: where gauges and sets are kept across a graceful restart (nil: not kept).
    public var stateFile: String?
    /// Stoker: a Unix datagram socket for DogStatsD clients (`dogstatsd_socket`), nil = none,
    /// and the permissions its file gets.
    public var unixSocket: String?
    public var unixSocketMode = 0o666
    /// Where DogStatsD events are posted: graphite-web's events API (`[cache] GRAPHITE_URL`),
    /// nil = not posted.
    public var events: HTTPTarget?
    /// `dumpMessages`: log every packet received.
    public var dumpMessages = false
    /// The parsing, aggregation and flush options.
    public var statsd = StatsdSettings()

    public init() {}
}
