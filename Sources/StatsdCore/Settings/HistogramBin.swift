/// One upper bound of a timer histogram: a finite bound (exclusive) or statsd's `'inf'`.
public enum HistogramBin: Sendable, Equatable {
    case bound(Double)
    case infinity
}
