/// One flush's timer statistics (statsd's process_metrics for timers, docs/statsd.md §3.2): percentile
/// groups, std, upper, lower, count, count_ps, sum, sum_squares, mean, median and histogram
/// bins, filtered by calculatedTimerMetrics. Names are computed once per flush. Stoker
/// difference: a negative percentile covering every value gives the true sum, sum of squares
/// and mean instead of NaN.
struct TimerStatistics {
    struct Percentile {
        var pct: Double
        var count: String, mean: String, bound: String, sum: String, sumSquares: String
        var keepCount: Bool, keepMean: Bool, keepBound: Bool, keepSum: Bool, keepSumSquares: Bool
    }

    struct HistogramLayout {
        var bins: [HistogramBin]
        /// Stat name of each distinct bin (`histogram.bin_0_5`), in first-occurrence order.
        var names: [String]
        /// For each bin, its index in `names` (a later bin with the same name overwrites).
        var slot: [Int]
    }

    var percentiles: [Percentile] = []
    let keepStd, keepUpper, keepLower, keepCount, keepCountPS, keepSum, keepSumSquares, keepMean, keepMedian, keepHistogram: Bool
    let flushSeconds: Double
    let rules: [HistogramRule]
    let layouts: [HistogramLayout]

    init(settings: StatsdSettings) {
        let wanted = Set(settings.calculatedTimerMetrics)
        func keep(_ name: String) -> Bool {
            wanted.isEmpty || wanted.contains(TimerStatistics.percentGeneralised(name))
        }
        var seen = Set<String>()
        for pct in settings.percentThreshold {
            var clean = JavaScriptNumberFormatter.string(pct)
            if let dot = clean.firstIndex(of: ".") { clean.replaceSubrange(dot...dot, with: "_") }
            if let minus = clean.firstIndex(of: "-") { clean.replaceSubrange(minus...minus, with: "top") }
            // A repeated percentile rewrites the same properties with the same values.
            guard seen.insert(clean).inserted else { continue }
            let bound = (pct > 0 ? "upper_" : "lower_") + clean
            let p = Percentile(pct: pct, count: "count_" + clean, mean: "mean_" + clean, bound: bound,
                               sum: "sum_" + clean, sumSquares: "sum_squares_" + clean,
                               keepCount: keep("count_" + clean), keepMean: keep("mean_" + clean), keepBound: keep(bound),
                               keepSum: keep("sum_" + clean), keepSumSquares: keep("sum_squares_" + clean))
            percentiles.append(p)
        }
        keepStd = keep("std"); keepUpper = keep("upper"); keepLower = keep("lower")
        keepCount = keep("count"); keepCountPS = keep("count_ps"); keepSum = keep("sum")
        keepSumSquares = keep("sum_squares"); keepMean = keep("mean"); keepMedian = keep("median")
        keepHistogram = keep("histogram")
        flushSeconds = settings.flushIntervalSeconds
        rules = settings.histogram
        layouts = settings.histogram.map { rule in
            var names: [String] = []
            var slot: [Int] = []
            for bin in rule.bins {
                var text: String
                switch bin {
                case .infinity: text = "inf"
                case .bound(let b): text = JavaScriptNumberFormatter.string(b)
                }
                if let dot = text.firstIndex(of: ".") { text.replaceSubrange(dot...dot, with: "_") }
                let name = "histogram.bin_" + text
                if let existing = names.firstIndex(of: name) { slot.append(existing) } else {
                    slot.append(names.count)
                    names.append(name)
                }
            }
            return HistogramLayout(bins: rule.bins, names: names, slot: slot)
        }
    }

    /// calculatedTimerMetrics' matching: a trailing `_<digits>` or `_top<digits>` becomes
    /// `_percent`.
    static func percentGeneralised(_ name: String) -> String {
        let bytes = Array(name.utf8)
        var i = bytes.count
        while i > 0 && bytes[i - 1] &- 0x30 < 10 { i -= 1 }
        guard i < bytes.count else { return name }
        if i >= 4 && bytes[(i - 3)..<i].elementsEqual("top".utf8) && bytes[i - 4] == 0x5F {
            return String(decoding: bytes[..<(i - 4)], as: UTF8.self) + "_percent"
        }
        if i >= 1 && bytes[i - 1] == 0x5F {
            return String(decoding: bytes[..<(i - 1)], as: UTF8.self) + "_percent"
        }
        return name
    }

    /// JavaScript `Math.round`: halves go towards +infinity.
    @inline(__always)
    static func jsRound(_ x: Double) -> Double {
        let f = x.rounded(.down)
        return x - f >= 0.5 ? f + 1 : f
    }

    /// Index of the histogram layout for a key: the first rule whose metric occurs in it.
    func histogramLayout(for key: String) -> HistogramLayout? {
        let keyBytes = Array(key.utf8)
        for (i, rule) in rules.enumerated() where TimerStatistics.contains(keyBytes, Array(rule.metric.utf8)) {
            return layouts[i].bins.isEmpty ? nil : layouts[i]
        }
        return nil
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// The statistics of one timer, in statsd's order; `values` sorted ascending.
    func compute(sorted values: UnsafeBufferPointer<Double>, count sampleCount: Double, key: String,
                 into out: inout [(String, Double)]) {
        let n = values.count
        guard n > 0 else {
            if keepCountPS { out.append(("count_ps", 0)) }
            if keepCount { out.append(("count", 0)) }
            return
        }
        var cumulative = [Double](repeating: 0, count: n)
        var cumulativeSquares = [Double](repeating: 0, count: n)
        cumulative[0] = values[0]
        cumulativeSquares[0] = values[0] * values[0]
        for i in 1..<n {
            cumulative[i] = values[i] + cumulative[i - 1]
            cumulativeSquares[i] = values[i] * values[i] + cumulativeSquares[i - 1]
        }
        let minValue = values[0], maxValue = values[n - 1]
        for p in percentiles {
            var m = 1.0
            var bound = maxValue, sum = minValue, sumSquares = minValue * minValue, mean = minValue
            if n > 1 {
                m = TimerStatistics.jsRound(abs(p.pct) / 100 * Double(n))
                if m == 0 { continue }
                let k = Int(m)
                if p.pct > 0 {
                    bound = values[k - 1]
                    sum = cumulative[k - 1]
                    sumSquares = cumulativeSquares[k - 1]
                } else {
                    bound = values[n - k]
                    let before = n - k - 1
                    sum = cumulative[n - 1] - (before >= 0 ? cumulative[before] : 0)
                    sumSquares = cumulativeSquares[n - 1] - (before >= 0 ? cumulativeSquares[before] : 0)
                }
                mean = sum / m
            }
            if p.keepCount { out.append((p.count, m)) }
            if p.keepMean { out.append((p.mean, mean)) }
            if p.keepBound { out.append((p.bound, bound)) }
            if p.keepSum { out.append((p.sum, sum)) }
            if p.keepSumSquares { out.append((p.sumSquares, sumSquares)) }
        }
        let sum = cumulative[n - 1]
        let sumSquares = cumulativeSquares[n - 1]
        let mean = sum / Double(n)
        var sumOfDiffs = 0.0
        for i in 0..<n { sumOfDiffs += (values[i] - mean) * (values[i] - mean) }
        let mid = n / 2
        let median = n % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
        if keepStd { out.append(("std", (sumOfDiffs / Double(n)).squareRoot())) }
        if keepUpper { out.append(("upper", maxValue)) }
        if keepLower { out.append(("lower", minValue)) }
        if keepCount { out.append(("count", sampleCount)) }
        if keepCountPS { out.append(("count_ps", sampleCount / flushSeconds)) }
        if keepSum { out.append(("sum", sum)) }
        if keepSumSquares { out.append(("sum_squares", sumSquares)) }
        if keepMean { out.append(("mean", mean)) }
        if keepMedian { out.append(("median", median)) }
        if keepHistogram, let layout = histogramLayout(for: key) {
            var frequencies = [Double](repeating: 0, count: layout.names.count)
            var i = 0
            for (b, bin) in layout.bins.enumerated() {
                var frequency = 0.0
                switch bin {
                case .infinity:
                    frequency = Double(n - i)
                    i = n
                case .bound(let limit):
                    while i < n && values[i] < limit { frequency += 1; i += 1 }
                }
                frequencies[layout.slot[b]] = frequency
            }
            for (slot, name) in layout.names.enumerated() { out.append((name, frequencies[slot])) }
        }
    }
}
