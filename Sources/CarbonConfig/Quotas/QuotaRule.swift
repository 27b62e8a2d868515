/// One section of quotas.conf (docs/quotas.md): a namespace glob and the limits every
/// namespace it matches gets on its own.
public struct QuotaRule: Sendable, Equatable {
    /// What a rule does at its limit.
    public enum DroppingPolicy: String, Sendable, Equatable {
        /// Refuse: new series are not created, points over the throughput are dropped.
        case new
        /// Only count what would have been refused (to size quotas before enforcing them).
        case none
    }

    /// The section name as written (`/`, `*`, `sys.app.*`): names the rule in logs and metrics.
    public let section: String
    /// The namespace glob; nil for `[/]`, the whole server.
    public let pattern: PathPattern?
    /// Distinct series (files, and new series waiting in the cache) under each namespace.
    public var metrics: Int?
    /// Points accepted per minute into each namespace.
    public var throughputPerMinute: Int?
    /// New series per minute in each namespace.
    public var newSeriesPerMinute: Int?
    public var droppingPolicy: DroppingPolicy = .new

    public init(section: String, pattern: PathPattern?, metrics: Int? = nil, throughputPerMinute: Int? = nil,
                newSeriesPerMinute: Int? = nil, droppingPolicy: DroppingPolicy = .new) {
        self.section = section
        self.pattern = pattern
        self.metrics = metrics
        self.throughputPerMinute = throughputPerMinute
        self.newSeriesPerMinute = newSeriesPerMinute
        self.droppingPolicy = droppingPolicy
    }

    /// How many leading name components make a namespace of this rule (0 for the server).
    public var depth: Int { pattern?.components.count ?? 0 }

    /// The namespace of `metric` under this rule: its first `depth` components when they match
    /// the glob and the name goes on below them (a namespace holds series, it is not one), else
    /// nil. The server rule's namespace is "".
    public func namespace(of metric: String) -> Substring? {
        guard let pattern else { return metric.isEmpty ? nil : metric.prefix(0) }
        let name = metric.utf8
        var start = name.startIndex
        for component in pattern.components {
            guard let dot = name[start...].firstIndex(of: UInt8(ascii: ".")) else { return nil }
            let matched = metric.utf8[start..<dot].withContiguousStorageIfAvailable { component.matches(UnsafeRawBufferPointer($0)) }
                ?? component.matches(Array(name[start..<dot]))
            guard matched else { return nil }
            start = name.index(after: dot)
        }
        return metric[metric.startIndex..<name.index(before: start)]
    }

    /// A name for the rule inside a metric path (self-instrumentation): `/` is `server`, `*`
    /// is `any`, other characters that are not letters, digits, `-` or `_` become `_`.
    public var statName: String {
        if pattern == nil { return "server" }
        var out = ""
        for scalar in section.unicodeScalars {
            switch scalar {
            case "*": out += "any"
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_": out.unicodeScalars.append(scalar)
            default: out += "_"
            }
        }
        return out
    }
}
