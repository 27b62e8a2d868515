import Whisper

/// One retention rule: the archives a new whisper file gets when `pattern` matches its name.
public struct StorageSchema: Sendable, Equatable {
    /// The section name in storage-schemas.conf (`default` for the implicit last rule).
    public let name: String
    /// The rule's expression; nil for the implicit default, which matches every metric.
    public let pattern: MetricPattern?
    /// Archives sorted by precision, already accepted by whisper's archive-list rules: the
    /// order they take in the file.
    public let archives: [ArchiveSpec]

    public init(name: String, pattern: MetricPattern?, archives: [ArchiveSpec]) {
        self.name = name
        self.pattern = pattern
        self.archives = archives
    }

    /// True when this rule applies to `metric`.
    public func matches(_ metric: String) -> Bool {
        pattern?.matches(metric) ?? true
    }
}
