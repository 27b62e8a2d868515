/// A DogStatsD event (`_e{title length,text length}:title|text|fields`), as graphite-web's
/// events API will store it: `what` is the title, `data` the text, `when` the client's
/// timestamp if it gave one, `tags` the client's tags plus the event's own fields.
public struct StatsdEvent: Sendable, Equatable {
    public var title: String
    public var text: String
    /// Unix seconds from `|d:`, nil when the client sent none (graphite-web then uses the
    /// time it receives the event).
    public var timestamp: Int?
    /// `k:v` or bare tags from `|#`, then `host:`, `priority:`, `alert_type:`, `source:` and
    /// `aggregation_key:` for the fields the client set.
    public var tags: [String]

    public init(title: String, text: String, timestamp: Int? = nil, tags: [String] = []) {
        self.title = title
        self.text = text
        self.timestamp = timestamp
        self.tags = tags
    }
}
