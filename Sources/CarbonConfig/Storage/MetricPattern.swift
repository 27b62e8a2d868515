/// A storage rule's `pattern`: a regular expression searched anywhere in the metric name, as
/// carbon's `re.compile(pattern).search(metric)`. Compiled once when the file is loaded.
///
/// Matching works on Unicode scalars, the unit Python's `re` sees in a `str`. Swift's regex
/// syntax accepts the Python spellings rules use in practice (`^`, `$`, `\.`, `\d`, classes,
/// groups, `(?P<name>...)`, `(?i)`, lookahead); a pattern it cannot compile (lookbehind, for
/// one) is refused at load time.
public struct MetricPattern: @unchecked Sendable, Equatable, CustomStringConvertible {
    // `Regex` is not declared Sendable, but it is an immutable value whose lazily built
    // matcher program is published atomically, so sharing one across threads is safe.
    private let regex: Regex<AnyRegexOutput>

    /// The expression as written in the file.
    public let source: String

    /// Compiles `source`; throws the regex parser's error when it is not a valid expression.
    public init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source).matchingSemantics(.unicodeScalar)
        // Regex builds its matcher program on first use; do it now, at load time, rather
        // than on the writer's first new metric.
        _ = "".contains(regex)
    }

    /// True when the expression matches somewhere in `metric` (Python's `re.search`).
    public func matches(_ metric: String) -> Bool {
        metric.contains(regex)
    }

    public static func == (lhs: MetricPattern, rhs: MetricPattern) -> Bool {
        lhs.source == rhs.source
    }

    public var description: String { source }
}
