import Logging

/// A log handler at `.trace` that drops every message after it is built: the targets must run
/// the code that formats a bad line for the log (quoting, cutting to 400 characters), which
/// swift-log skips entirely below the handler's level.
public struct DiscardingLogHandler: LogHandler {
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Touch the text so the formatting cannot be optimised away.
        _ = event.message.description.utf8.count
    }

    /// A logger that formats everything and prints nothing.
    public static var logger: Logger {
        Logger(label: "fuzz", factory: { _ in DiscardingLogHandler() })
    }
}
