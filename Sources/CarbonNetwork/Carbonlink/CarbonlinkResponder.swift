import CarbonCache
import CarbonConfig
import CarbonWriter
import Pickle
import Whisper

/// Answers carbonlink requests from the live cache and the whisper headers, in the shapes
/// graphite-web expects (docs/carbon.md §11). Queries never create cache entries.
public struct CarbonlinkResponder: Sendable {
    public let cache: MetricCache
    public let writer: CacheWriter
    public let statistics: ReceiverStatistics
    /// MIN_TIMESTAMP_RESOLUTION > 0 answers timestamps as ints, else as floats (as carbon).
    public let integerTimestamps: Bool

    public init(cache: MetricCache, writer: CacheWriter, statistics: ReceiverStatistics, integerTimestamps: Bool) {
        self.cache = cache
        self.writer = writer
        self.statistics = statistics
        self.integerTimestamps = integerTimestamps
    }

    public func answer(_ request: CarbonlinkRequest) -> PickleValue {
        switch request {
        case let .cacheQuery(metric):
            statistics.cacheQueries.add(1, ordering: .relaxed)
            return ["datapoints": datapoints(metric)]
        case let .cacheQueryBulk(metrics):
            statistics.bulkQueries.add(1, ordering: .relaxed)
            statistics.bulkQueryMetrics.add(metrics.count, ordering: .relaxed)
            return ["datapointsByMetric": .dict(metrics.map { (key: .string($0), value: datapoints($0)) })]
        case let .getMetadata(metric, key):
            guard key == "aggregationMethod" else { return error("Unsupported metadata key \"\(key)\"") }
            do {
                return ["value": .string(try writer.aggregationMethod(of: MetricName.normalize(metric)).name)]
            } catch {
                return self.error("\(error)")
            }
        case let .setMetadata(metric, key, value):
            guard key == "aggregationMethod" else { return error("Unsupported metadata key \"\(key)\"") }
            guard let method = AggregationMethod(name: value) else { return error("Unrecognized aggregation method: \(value)") }
            do {
                let old = try writer.setAggregationMethod(of: MetricName.normalize(metric), to: method)
                return ["old_value": .string(old.name), "new_value": .string(method.name)]
            } catch {
                return self.error("\(error)")
            }
        case let .unknownType(type):
            return error("Invalid request type \"\(type)\"")
        }
    }

    /// The cached points in the order they were first stored, as carbon answers.
    func datapoints(_ metric: String) -> PickleValue {
        .list(cache.points(of: MetricName.normalize(metric)).map { point in
            let ts: PickleValue = integerTimestamps ? .int(Int64(point.timestamp)) : .float(point.timestamp)
            return .tuple([ts, .float(point.value)])
        })
    }

    private func error(_ message: String) -> PickleValue {
        ["error": .string(message)]
    }
}
