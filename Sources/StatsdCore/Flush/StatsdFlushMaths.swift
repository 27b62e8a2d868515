import Glibc

/// statsd's process_metrics plus its graphite backend's flush as one pure function: from the
/// merged table of an interval to the exact datapoints statsd + carbon would have stored
/// (docs/statsd.md §3.2-3.4), in statsd's order: counters (rate, then count), timers, gauges, sets,
/// numStats, calculationtime, processing_time, then the four graphiteStats lines. Within a type,
/// keys follow JavaScript property order.
public enum StatsdFlushMaths {
    /// A monotonic millisecond clock (the default for timing processing and calculation).
    public static func monotonicMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec / 1_000_000)
    }

    public static func process(_ table: AggregationTable, settings: StatsdSettings, timestamp: Int,
                               graphiteStatus: GraphiteStatus,
                               clock: () -> Double = monotonicMilliseconds) -> StatsdFlushOutput {
        // process_metrics: counter rates and timer statistics.
        let processingStart = clock()
        let flushSeconds = settings.flushIntervalSeconds
        let counterNames = (0..<table.counterTable.count).map { table.counterTable.names.name($0) }
        let counterOrder = JavaScriptPropertyOrder.order(counterNames)
        let timerNames = (0..<table.timerTable.count).map { table.timerTable.names.name($0) }
        let timerOrder = JavaScriptPropertyOrder.order(timerNames)
        let statistics = TimerStatistics(settings: settings)
        var grouped = table.timerTable.groupedValues()
        var timerStats: [[(String, Double)]] = []
        timerStats.reserveCapacity(timerOrder.count)
        grouped.values.withUnsafeMutableBufferPointer { all in
            for id in timerOrder {
                let range = grouped.offsets[id]..<grouped.offsets[id + 1]
                var slice = UnsafeMutableBufferPointer(rebasing: all[range])
                slice.sort()
                var stats: [(String, Double)] = []
                statistics.compute(sorted: UnsafeBufferPointer(slice), count: table.timerTable.sampleCounts[id],
                                   key: timerNames[id], into: &stats)
                timerStats.append(stats)
            }
        }
        let processingTime = clock().rounded(.down) - processingStart.rounded(.down)

        // The graphite backend: names and values.
        let calculationStart = clock()
        let naming = GraphiteNaming(settings: settings)
        var points: [StatsdDatapoint] = []
        points.reserveCapacity(counterOrder.count * 2 + timerStats.reduce(0) { $0 + $1.count } + table.gaugeTable.count + table.setTable.count + 7)
        for id in counterOrder {
            let key = counterNames[id]
            let value = table.counterTable.values[id]
            points.append(StatsdDatapoint(naming.counterRate(key), value / flushSeconds))
            if settings.flushCounts { points.append(StatsdDatapoint(naming.counterCount(key), value)) }
        }
        for (position, id) in timerOrder.enumerated() {
            for (stat, value) in timerStats[position] {
                points.append(StatsdDatapoint(naming.timerStat(timerNames[id], stat), value))
            }
        }
        let gaugeNames = (0..<table.gaugeTable.count).map { table.gaugeTable.names.name($0) }
        for id in JavaScriptPropertyOrder.order(gaugeNames) {
            points.append(StatsdDatapoint(naming.gauge(gaugeNames[id]), table.gaugeTable.slots[id].resolved(prior: nil)))
        }
        let setNames = (0..<table.setTable.count).map { table.setTable.names.name($0) }
        for id in JavaScriptPropertyOrder.order(setNames) {
            points.append(StatsdDatapoint(naming.setCount(setNames[id]), Double(table.setTable.members[id].count)))
        }
        let numStats = counterNames.count + timerNames.count + gaugeNames.count + setNames.count
        points.append(StatsdDatapoint(naming.numStats, Double(numStats)))
        let calculationTime = clock().rounded(.down) - calculationStart.rounded(.down)
        points.append(StatsdDatapoint(naming.calculationTime, calculationTime))
        points.append(StatsdDatapoint(naming.processingTime, processingTime))
        points.append(StatsdDatapoint(naming.graphiteStat("last_exception"), graphiteStatus.lastException))
        points.append(StatsdDatapoint(naming.graphiteStat("last_flush"), graphiteStatus.lastFlush))
        points.append(StatsdDatapoint(naming.graphiteStat("flush_time"), graphiteStatus.flushTime))
        points.append(StatsdDatapoint(naming.graphiteStat("flush_length"), graphiteStatus.flushLength))
        var output = StatsdFlushOutput(timestamp: timestamp, datapoints: points, numStats: numStats,
                                       processingTime: processingTime, calculationTime: calculationTime)
        output.stampedDatapoints = stampedDatapoints(table.extras.stamped, naming: naming, settings: settings)
        return output
    }

    /// DogStatsD samples stamped by the client (docs/dogstatsd.md): per key and timestamp,
    /// counters are summed and named as a flush names them (rate over the flush interval, then
    /// count), the last gauge wins; in order of first arrival.
    static func stampedDatapoints(_ samples: [DogStatsdExtras.StampedSample], naming: GraphiteNaming,
                                  settings: StatsdSettings) -> [StatsdStampedDatapoint] {
        guard !samples.isEmpty else { return [] }
        struct Key: Hashable { var counter: Bool; var key: String; var timestamp: Int }
        var order: [Key] = []
        var values: [Key: Double] = [:]
        for sample in samples {
            let key = Key(counter: sample.kind == .counter, key: sample.key, timestamp: sample.timestamp)
            if let value = values[key] {
                values[key] = key.counter ? value + sample.value : sample.value
            } else {
                order.append(key)
                values[key] = sample.value
            }
        }
        var points: [StatsdStampedDatapoint] = []
        for key in order {
            let value = values[key]!
            if key.counter {
                points.append(StatsdStampedDatapoint(naming.counterRate(key.key), value / settings.flushIntervalSeconds, key.timestamp))
                if settings.flushCounts { points.append(StatsdStampedDatapoint(naming.counterCount(key.key), value, key.timestamp)) }
            } else {
                points.append(StatsdStampedDatapoint(naming.gauge(key.key), value, key.timestamp))
            }
        }
        return points
    }
}
