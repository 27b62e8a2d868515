import Foundation

/// Prometheus' text exposition format (version 0.0.4), written by hand rather than through
/// swift-prometheus: every figure Stoker exposes already lives in an atomic counter read at
/// scrape time, while swift-prometheus' registry owns its values and would need each one
/// mirrored into it (a second increment on the hot paths, or a copy on every scrape, which its
/// increment-only counters make a delta-tracking exercise). The format itself is a few lines.
public enum PrometheusExposition {
    public struct Sample: Sendable, Equatable {
        public enum Kind: String, Sendable { case counter, gauge }
        public var name: String
        public var help: String
        public var kind: Kind
        public var value: Double

        public init(_ name: String, _ kind: Kind, _ value: Double, help: String) {
            self.name = name
            self.help = help
            self.kind = kind
            self.value = value
        }
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ samples: [Sample]) -> String {
        var text = ""
        for sample in samples {
            text += "# HELP \(sample.name) \(escapeHelp(sample.help))\n"
            text += "# TYPE \(sample.name) \(sample.kind.rawValue)\n"
            text += "\(sample.name) \(number(sample.value))\n"
        }
        return text
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
