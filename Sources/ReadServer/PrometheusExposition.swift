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
        /// `name="value"` pairs; samples of one name with different labels are consecutive.
        public var labels: [Label]

        public struct Label: Sendable, Equatable {
            public var name: String
            public var value: String

            public init(_ name: String, _ value: String) {
                self.name = name
                self.value = value
            }
        }

        public init(_ name: String, _ kind: Kind, _ value: Double, help: String, labels: [Label] = []) {
            self.name = name
            self.help = help
            self.kind = kind
            self.value = value
            self.labels = labels
        }
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ samples: [Sample]) -> String {
        var text = ""
        var previous: String?
        for sample in samples {
            if sample.name != previous {
                text += "# HELP \(sample.name) \(escapeHelp(sample.help))\n"
                text += "# TYPE \(sample.name) \(sample.kind.rawValue)\n"
                previous = sample.name
            }
            let labels = sample.labels.isEmpty ? ""
                : "{" + sample.labels.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
            text += "\(sample.name)\(labels) \(number(sample.value))\n"
        }
        return text
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ text: String) -> String {
        escapeHelp(text).replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
