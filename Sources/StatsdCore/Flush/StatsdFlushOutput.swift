/// Everything one flush produced: the datapoints statsd's graphite backend would have sent (and
/// carbon stored), in statsd's order, all at `timestamp`.
public struct StatsdFlushOutput: Sendable, Equatable {
    public var timestamp: Int
    public var datapoints: [StatsdDatapoint]
    /// Counters + timers + gauges + sets in this flush.
    public var numStats: Int
    /// Milliseconds spent computing rates and timer statistics.
    public var processingTime: Double
    /// Milliseconds spent building the names and values.
    public var calculationTime: Double
    /// DogStatsD samples the client stamped, each at its own time (after `datapoints`).
    public var stampedDatapoints: [StatsdStampedDatapoint] = []

    public init(timestamp: Int, datapoints: [StatsdDatapoint], numStats: Int, processingTime: Double, calculationTime: Double) {
        self.timestamp = timestamp
        self.datapoints = datapoints
        self.numStats = numStats
        self.processingTime = processingTime
        self.calculationTime = calculationTime
    }

    /// The graphite plaintext payload statsd would send: `name value timestamp\n` per datapoint,
    /// values printed as JavaScript prints numbers.
    public func plaintext() -> String {
        let stamp = " " + String(timestamp) + "\n"
        var out = ""
        for point in datapoints {
            out += point.name
            out += " "
            out += JavaScriptNumberFormatter.string(point.value)
            out += stamp
        }
        for point in stampedDatapoints {
            out += point.name + " " + JavaScriptNumberFormatter.string(point.value) + " " + String(point.timestamp) + "\n"
        }
        return out
    }
}
