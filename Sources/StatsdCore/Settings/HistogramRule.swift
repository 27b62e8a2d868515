/// One entry of statsd's `histogram` option: the first rule whose `metric` occurs anywhere in a
/// timer key (as a substring; `""` matches every key) gives that timer's bins. Empty `bins`
/// disables histograms for the keys the rule matches.
public struct HistogramRule: Sendable, Equatable {
    public var metric: String
    public var bins: [HistogramBin]

    public init(metric: String, bins: [HistogramBin]) {
        self.metric = metric
        self.bins = bins
    }
}
