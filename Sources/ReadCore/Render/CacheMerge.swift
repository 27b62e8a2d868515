import CarbonCache
import Whisper

/// graphite-web's `merge_with_cache` (readers/utils.py, docs/reads.md §4): the points still in
/// the cache laid over a fetched series. First the last point per raw-step interval (whisper
/// keeps one point per slot); then, when the fetched archive is coarser than the first one,
/// those are grouped per step and combined with the file's aggregation method; a point lands
/// in slot `(interval − start) // step` when that slot exists.
enum CacheMerge {
    static func merge(_ cached: [CachedPoint], into values: inout [Double?], start: Int, step: Int,
                      method: AggregationMethod, rawStep: Int) {
        guard !cached.isEmpty else { return }
        // Python dicts keep the order keys were first inserted; the last write of a key wins.
        var slots = OrderedSlots<Double>()
        if rawStep > 1 {
            for point in cached { slots.set(pythonFloor(point.timestamp, rawStep), point.value) }
        } else {
            for point in cached { slots.append(point.timestamp, point.value) }
        }
        var consolidated: [(Double, Double?)] = []
        if step != rawStep {
            var groups = OrderedSlots<[Double]>()
            for (timestamp, value) in slots.pairs {
                let interval = pythonFloor(timestamp, step)
                groups.update(interval, default: []) { $0.append(value) }
            }
            consolidated = groups.pairs.map { ($0.0, method.consolidate($0.1)) }
        } else {
            consolidated = slots.pairs.map { ($0.0, $0.1) }
        }
        for (interval, value) in consolidated {
            // Python: int(interval - start) // step, negative slots skipped, past the end ignored.
            let offset = Int((interval - Double(start)).rounded(.towardZero))
            let slot = Int((Double(offset) / Double(step)).rounded(.down))
            if slot < 0 || slot >= values.count { continue }
            values[slot] = value
        }
    }

    /// `timestamp - (timestamp % step)` with Python's modulo (the result's sign follows step).
    static func pythonFloor(_ timestamp: Double, _ step: Int) -> Double {
        let s = Double(step)
        var remainder = timestamp.truncatingRemainder(dividingBy: s)
        if remainder != 0 && (remainder < 0) != (s < 0) { remainder += s }
        return timestamp - remainder
    }
}

/// A tiny insertion-ordered dictionary keyed by timestamps, as Python's dict behaves.
struct OrderedSlots<Value> {
    private(set) var pairs: [(Double, Value)] = []
    private var index: [Double: Int] = [:]

    mutating func set(_ key: Double, _ value: Value) {
        if let at = index[key] { pairs[at].1 = value } else { index[key] = pairs.count; pairs.append((key, value)) }
    }

    /// Keeps duplicates (the cache's list when no raw-step pass runs).
    mutating func append(_ key: Double, _ value: Value) {
        pairs.append((key, value))
    }

    mutating func update(_ key: Double, default value: Value, _ body: (inout Value) -> Void) {
        if let at = index[key] {
            body(&pairs[at].1)
        } else {
            var fresh = value
            body(&fresh)
            index[key] = pairs.count
            pairs.append((key, fresh))
        }
    }
}

extension AggregationMethod {
    /// graphite-web's `consolidate` inside `merge_with_cache`: over the values present.
    func consolidate(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        switch self {
        case .sum: return values.reduce(0, +)
        case .last: return values.last
        case .max: return values.max()
        case .min: return values.min()
        case .average, .avgZero: return values.reduce(0, +) / Double(values.count)
        default: return aggregate(values.map { Optional($0) })
        }
    }
}
