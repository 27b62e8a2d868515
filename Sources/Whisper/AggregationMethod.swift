/// How a lower-precision archive summarises the higher-precision slots it covers.
/// Raw values are the codes stored in the file header (whisper 1.1: 1-8).
public enum AggregationMethod: UInt32, CaseIterable, Sendable, CustomStringConvertible {
    case average = 1, sum, last, max, min, avgZero, absmax, absmin

    /// whisper's spelling, as used in storage-aggregation.conf and whisper-info.
    public var name: String {
        switch self {
        case .average: return "average"
        case .sum: return "sum"
        case .last: return "last"
        case .max: return "max"
        case .min: return "min"
        case .avgZero: return "avg_zero"
        case .absmax: return "absmax"
        case .absmin: return "absmin"
        }
    }

    public var description: String { name }

    /// Parses whisper's spelling (exact, lower case, as whisper does).
    public init?(name: String) {
        guard let method = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = method
    }

    /// Aggregates the slots of one lower interval, in time order; `nil` is a missing slot.
    /// Mirrors whisper's `aggregate()` operation by operation, Python float semantics included:
    /// sums start from +0.0 and add left to right, ties in max/min/absmax/absmin keep the
    /// earliest value. Returns nil when no slot is known.
    public func aggregate<S: Sequence>(_ slots: S) -> Double? where S.Element == Double? {
        var known = 0
        var total = 0
        var sum = 0.0
        var last = 0.0
        var best = 0.0
        for slot in slots {
            total += 1
            guard let value = slot else { continue }
            known += 1
            sum += value
            last = value
            if known == 1 {
                best = value
                continue
            }
            switch self {
            case .max: if value > best { best = value }
            case .min: if value < best { best = value }
            case .absmax: if Swift.abs(value) > Swift.abs(best) { best = value }
            case .absmin: if Swift.abs(value) < Swift.abs(best) { best = value }
            default: break
            }
        }
        guard known > 0 else { return nil }
        switch self {
        case .average: return sum / Double(known)
        case .sum: return sum
        case .last: return last
        case .max, .min, .absmax, .absmin: return best
        case .avgZero: return avgZeroSum(slots) / Double(total)
        }
    }

    /// avg_zero replaces missing (and zero) slots by 0 before summing (`x or 0` in Python).
    private func avgZeroSum<S: Sequence>(_ slots: S) -> Double where S.Element == Double? {
        var sum = 0.0
        for slot in slots {
            if let value = slot, value != 0 { sum += value }
        }
        return sum
    }
}
