/// A rejected line kept for rate-limited logging: the reason and the whole line's text.
public struct BadLineSample: Sendable, Equatable {
    public var reason: BadLineReason
    public var line: String

    public init(reason: BadLineReason, line: String) {
        self.reason = reason
        self.line = line
    }
}
