/// Why a metric name is not a valid tagged series (carbon's `TaggedSeries.parse` exceptions).
/// carbon then keeps the raw name; `MetricName.normalize` does the same.
public enum MetricNameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing before the first `;` (or `{`).
    case noMetric(name: String)
    /// A `;` part without `=` or with nothing before it, or OpenMetrics tags that do not
    /// follow `tag="value",...`; `segment` is the unparsed rest.
    case invalidSegment(name: String, segment: String)
    /// A tag with an empty value.
    case emptyValue(name: String, tag: String)
    /// A tag containing one of `;!^=`.
    case prohibitedCharacter(name: String, tag: String, character: Character)
    /// A value containing `;` (only possible in the OpenMetrics form).
    case semicolonInValue(name: String, tag: String)
    /// A value starting with `~`.
    case valueStartsWithTilde(name: String, tag: String)
    /// A metric part made only of `~`, which leaves an empty `name` tag.
    case onlyTildes(name: String)

    public var description: String {
        switch self {
        case let .noMetric(name): return "Cannot parse path \(name), no metric found"
        case let .invalidSegment(name, segment): return "Cannot parse path \(name), invalid segment \(segment)"
        case let .emptyValue(_, tag): return "Value for tag \"\(tag)\" may not be empty"
        case let .prohibitedCharacter(_, tag, character):
            return "Character \"\(character)\" is not allowed in tag \"\(tag)\""
        case let .semicolonInValue(_, tag): return "Character \";\" is not allowed in the value of tag \(tag)"
        case let .valueStartsWithTilde(_, tag): return "Tag values are not allowed to start with \"~\" in tag \"\(tag)\""
        case let .onlyTildes(name): return "Cannot use metric name \(name) as tag value, results in an empty string"
        }
    }
}
