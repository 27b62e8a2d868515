import CarbonCache
import CarbonConfig
import CarbonWriter
import Pickle

/// One graphite-web cache query (docs/carbon.md §11), decoded from its pickled dict.
public enum CarbonlinkRequest: Equatable, Sendable {
    case cacheQuery(metric: String)
    case cacheQueryBulk(metrics: [String])
    case getMetadata(metric: String, key: String)
    case setMetadata(metric: String, key: String, value: String)
    /// A dict with an unknown `type`: answered with carbon's error, the connection stays.
    case unknownType(String)

    /// Why a request cannot be answered at all (carbon drops the connection for these).
    public struct Malformed: Error, Equatable, Sendable {
        public var reason: String
    }

    public init(_ value: PickleValue) throws(Malformed) {
        guard value.asDict != nil else { throw Malformed(reason: "request is not a dict") }
        guard let type = value["type"]?.asString else { throw Malformed(reason: "request has no 'type'") }
        func string(_ key: String) throws(Malformed) -> String {
            guard let text = value[key]?.asString else { throw Malformed(reason: "\(type) request without '\(key)'") }
            return text
        }
        switch type {
        case "cache-query":
            self = .cacheQuery(metric: try string("metric"))
        case "cache-query-bulk":
            guard let names = value["metrics"]?.asSequence else { throw Malformed(reason: "cache-query-bulk request without 'metrics'") }
            var metrics: [String] = []
            for name in names {
                guard let text = name.asString else { throw Malformed(reason: "cache-query-bulk with a non-string metric") }
                metrics.append(text)
            }
            self = .cacheQueryBulk(metrics: metrics)
        case "get-metadata":
            self = .getMetadata(metric: try string("metric"), key: try string("key"))
        case "set-metadata":
            self = .setMetadata(metric: try string("metric"), key: try string("key"), value: try string("value"))
        default:
            self = .unknownType(type)
        }
    }
}
