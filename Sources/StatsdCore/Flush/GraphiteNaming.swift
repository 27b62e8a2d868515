/// The graphite backend's metric names (docs/statsd.md §3.3): the legacy namespace (`stats.<key>`,
/// `stats_counts.<key>`, `stats.timers.<key>.<stat>`, ...) or the new one built from
/// globalPrefix and the per-type prefixes; `.globalSuffix` after the path; a key's `;tags`
/// always last.
public struct GraphiteNaming: Sendable {
    public let legacyNamespace: Bool
    let counterPrefix: String
    let countPrefix: String
    let timerPrefix: String
    let gaugePrefix: String
    let setPrefix: String
    let globalNamespace: [String]
    let suffix: String
    let prefixStats: String
    let sanitizeOnOutput: Bool

    public init(settings: StatsdSettings) {
        legacyNamespace = settings.legacyNamespace
        prefixStats = settings.prefixStats
        suffix = settings.globalSuffix.map { "." + $0 } ?? ""
        sanitizeOnOutput = !settings.keyNameSanitize
        func joined(_ parts: [String]) -> String { parts.isEmpty ? "" : parts.joined(separator: ".") + "." }
        if legacyNamespace {
            globalNamespace = ["stats"]
            counterPrefix = "stats."
            countPrefix = "stats_counts."
            timerPrefix = "stats.timers."
            gaugePrefix = "stats.gauges."
            setPrefix = "stats.sets."
        } else {
            let g = settings.globalPrefix.isEmpty ? [] : [settings.globalPrefix]
            func with(_ p: String) -> [String] { p.isEmpty ? g : g + [p] }
            globalNamespace = g
            counterPrefix = joined(with(settings.prefixCounter))
            countPrefix = counterPrefix
            timerPrefix = joined(with(settings.prefixTimer))
            gaugePrefix = joined(with(settings.prefixGauge))
            setPrefix = joined(with(settings.prefixSet))
        }
    }

    /// statsd's `format(namespace, key, extras...)`: the key's base name (before the first `;`,
    /// sanitised here if input sanitising is off) in the namespace, then extras, the suffix,
    /// then the key's tags.
    func format(_ prefix: String, _ key: String, _ extras: String...) -> String {
        var base = Substring(key)
        var tags = Substring("")
        if let semicolon = key.utf8.firstIndex(of: 0x3B) {
            base = key[..<semicolon]
            tags = key[semicolon...]
        }
        var name = prefix
        name += sanitizeOnOutput ? KeySanitizer.sanitize(String(base)) : String(base)
        for extra in extras {
            name += "."
            name += extra
        }
        name += suffix
        name += tags
        return name
    }

    /// Legacy `stats.<key>`, new `<G>.<counters>.<key>.rate`.
    public func counterRate(_ key: String) -> String {
        legacyNamespace ? format(counterPrefix, key) : format(counterPrefix, key, "rate")
    }

    /// Legacy `stats_counts.<key>`, new `<G>.<counters>.<key>.count`.
    public func counterCount(_ key: String) -> String {
        legacyNamespace ? format(countPrefix, key) : format(counterPrefix, key, "count")
    }

    /// `<timer prefix>.<key>.<stat>`.
    public func timerStat(_ key: String, _ stat: String) -> String { format(timerPrefix, key, stat) }

    /// `<timer prefix>.<key>.histogram.<bin>`.
    public func timerBin(_ key: String, _ bin: String) -> String { format(timerPrefix, key, "histogram", bin) }

    public func gauge(_ key: String) -> String { format(gaugePrefix, key) }

    public func setCount(_ key: String) -> String { format(setPrefix, key, "count") }

    /// Legacy `S.numStats` (no `stats.`), new `<G>.S.numStats`.
    public var numStats: String {
        legacyNamespace ? prefixStats + ".numStats" + suffix : format(globalPrefixString, prefixStats, "numStats")
    }

    public var calculationTime: String {
        legacyNamespace
            ? "stats." + prefixStats + ".graphiteStats.calculationtime" + suffix
            : format(globalPrefixString, prefixStats, "graphiteStats", "calculationtime")
    }

    public var processingTime: String {
        legacyNamespace
            ? "stats." + prefixStats + ".processing_time" + suffix
            : format(globalPrefixString, prefixStats, "processing_time")
    }

    /// `<G>.S.graphiteStats.<stat>` by plain concatenation (legacy G = `stats`).
    public func graphiteStat(_ stat: String) -> String {
        (globalNamespace + [prefixStats]).joined(separator: ".") + ".graphiteStats." + stat + suffix
    }

    /// The prefixes (each ending in `.`) under which every name of a flush lies, none inside
    /// another: what storage rules must match to give statsd's output its own retention. A
    /// name with no prefix at all (new namespace, empty globalPrefix and type prefix) is not
    /// covered by any of them.
    public var namespaces: [String] {
        let statsPrefix = legacyNamespace ? prefixStats + "." : globalPrefixString + prefixStats + "."
        let all = [counterPrefix, countPrefix, timerPrefix, gaugePrefix, setPrefix, statsPrefix]
            .filter { !$0.isEmpty && $0 != "." }
        var kept: [String] = []
        for prefix in all.sorted(by: { $0.utf8.count < $1.utf8.count })
        where !kept.contains(where: { prefix.hasPrefix($0) }) {
            kept.append(prefix)
        }
        return kept.sorted()
    }

    /// The legacy namespace's `stats_counts.`: its names are counts with no `.count` suffix;
    /// nil in the new namespace.
    public var legacyCountPrefix: String? { legacyNamespace ? countPrefix : nil }

    private var globalPrefixString: String {
        globalNamespace.isEmpty ? "" : globalNamespace.joined(separator: ".") + "."
    }
}
