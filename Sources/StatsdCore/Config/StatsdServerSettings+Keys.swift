/// Reading `[statsd]`: statsd's option names, values typed as statsd's JavaScript config would
/// have them. Lists are comma-separated; histogram rules are `metric:bin,bin,inf` separated by
/// `;` (e.g. `histogram = api.:10,100,inf; :1,10`), first match wins as in statsd.
extension StatsdServerSettings {
    /// A value that cannot be used: names the key, the value and why.
    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        public var key: String
        public var value: String
        public var reason: String
        public var description: String { "[statsd] \(key) = \(value): \(reason)" }
    }

    /// Reads the section; unknown keys come back as warnings.
    public static func from(values: [String: String]) throws(Invalid) -> (settings: StatsdServerSettings, warnings: [String]) {
        var s = StatsdServerSettings()
        var warnings: [String] = []
        for key in values.keys.sorted() {
            let value = values[key]!
            func fail(_ reason: String) -> Invalid { Invalid(key: key, value: value, reason: reason) }
            func bool() throws(Invalid) -> Bool {
                switch value.lowercased() {
                case "true", "yes", "on", "1": return true
                case "false", "no", "off", "0": return false
                default: throw fail("expected true or false")
                }
            }
            func int(_ range: ClosedRange<Int>) throws(Invalid) -> Int {
                guard let n = Int(value), range.contains(n) else { throw fail("expected a whole number from \(range.lowerBound) to \(range.upperBound)") }
                return n
            }
            func name() throws(Invalid) -> String {
                guard !value.contains(where: { $0 == " " || $0 == "\t" }) else { throw fail("expected a metric name part") }
                return value
            }
            switch key {
            case "enabled": s.enabled = try bool()
            case "address": s.address = value
            case "port": s.port = try int(0...65535)
            case "address_ipv6": s.addressIPv6 = try bool()
            case "mgmt_address": s.managementAddress = value
            case "mgmt_port": s.managementPort = try int(0...65535)
            case "tcp_address": s.tcpAddress = value
            case "tcp_port": s.tcpPort = try int(0...65535)
            case "reader_threads": s.readerThreads = try int(1...64)
            case "receive_buffer": s.receiveBuffer = try int(65536...(1 << 30))
            case "graphitehost": s.graphiteHost = value.isEmpty ? nil : value
            case "graphiteport": s.graphitePort = try int(1...65535)
            case "forward_buffer_flushes": s.forwardBufferFlushes = try int(1...1_000_000)
            case "dumpmessages": s.dumpMessages = try bool()
            case "state_file": s.stateFile = value.isEmpty ? nil : value
            case "unix_socket":
                guard value.utf8.count < 108, !value.contains("\0") else { throw fail("expected a socket path shorter than 108 bytes") }
                s.unixSocket = value.isEmpty ? nil : value
            case "unix_socket_mode":
                guard let mode = Int(value, radix: 8), (0...0o777).contains(mode) else { throw fail("expected an octal mode such as 0666") }
                s.unixSocketMode = mode
            case "service_check_prefix": s.statsd.serviceCheckPrefix = try name()
            case "flushinterval":
                // statsd treats a falsy interval as the default.
                let n = try int(0...86_400_000)
                s.statsd.flushInterval = n == 0 ? 10_000 : n
            case "percentthreshold":
                var list: [Double] = []
                for part in value.split(separator: ",") {
                    let text = part.trimmingCharacters(in: " \t")
                    guard let p = Double(text), p != 0, p > -100, p < 100 || p == 100 else { throw fail("expected percentiles between -100 and 100, not 0") }
                    list.append(p)
                }
                s.statsd.percentThreshold = list
            case "histogram": s.statsd.histogram = try histogramRules(value, fail: fail)
            case "calculatedtimermetrics":
                s.statsd.calculatedTimerMetrics = value.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
            case "deleteidlestats": s.statsd.deleteIdleStats = try bool()
            case "deletecounters": s.statsd.deleteCounters = try bool()
            case "deletetimers": s.statsd.deleteTimers = try bool()
            case "deletegauges": s.statsd.deleteGauges = try bool()
            case "deletesets": s.statsd.deleteSets = try bool()
            case "gaugesmaxttl": s.statsd.gaugesMaxTTL = try int(0...1_000_000)
            case "flush_counts": s.statsd.flushCounts = try bool()
            case "prefixstats": s.statsd.prefixStats = try name()
            case "legacynamespace": s.statsd.legacyNamespace = try bool()
            case "globalprefix": s.statsd.globalPrefix = try name()
            case "prefixcounter": s.statsd.prefixCounter = try name()
            case "prefixtimer": s.statsd.prefixTimer = try name()
            case "prefixgauge": s.statsd.prefixGauge = try name()
            case "prefixset": s.statsd.prefixSet = try name()
            case "globalsuffix": s.statsd.globalSuffix = try name()
            case "keynamesanitize": s.statsd.keyNameSanitize = try bool()
            case "max_line_length": s.statsd.maxLineLength = try int(64...(1 << 24))
            case "max_keys_per_interval": s.statsd.maxKeysPerInterval = try int(1...100_000_000)
            // statsd keys that only choose statsd's own plumbing.
            case "backends", "servers", "debug", "debuginterval", "dumpmessages_", "title", "automaticconfigreload": break
            default: warnings.append("[statsd] unknown key \(key) ignored")
            }
        }
        // TCP input listens where UDP does unless told otherwise, so a second instance on
        // another `port` does not collide with the first on 8125/tcp.
        if values["tcp_port"] == nil { s.tcpPort = s.port }
        return (s, warnings)
    }

    private static func histogramRules(_ value: String, fail: (String) -> Invalid) throws(Invalid) -> [HistogramRule] {
        var rules: [HistogramRule] = []
        for part in value.split(separator: ";") {
            let rule = part.trimmingCharacters(in: " \t")
            if rule.isEmpty { continue }
            guard let colon = rule.lastIndex(of: ":") else { throw fail("expected metric:bin,bin,... rules separated by ;") }
            var bins: [HistogramBin] = []
            for text in rule[rule.index(after: colon)...].split(separator: ",") {
                let bin = text.trimmingCharacters(in: " \t")
                if bin == "inf" { bins.append(.infinity) } else if let n = Double(bin) { bins.append(.bound(n)) } else {
                    throw fail("histogram bin \(bin) is not a number or inf")
                }
            }
            rules.append(HistogramRule(metric: String(rule[..<colon]), bins: bins))
        }
        return rules
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
