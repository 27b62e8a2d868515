import Logging

/// One line per event on standard error, `key=value` fields, at the configured level.
enum LogSetup {
    static func bootstrap(level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: "stoker")
    }
}
