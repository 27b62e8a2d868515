/// A gauge's state in a table. A reader table does not know the gauge's value from before its
/// interval, so signed samples on a key it has not set are kept as deltas and resolved against
/// the merged value at flush (statsd: a signed value adds to a truthy gauge, else sets it).
struct GaugeSlot: Sendable {
    /// True when `value` and `laterDeltas` are signed samples still to apply to the prior value.
    var startsFromPrior: Bool
    var value: Double
    var laterDeltas: [Double] = []
    /// Flushes left before deletion (only with deleteGauges); nil = never expires.
    var ttl: Int?

    init(sample value: Double, signed: Bool) {
        startsFromPrior = signed
        self.value = value
    }

    init(absolute value: Double, ttl: Int?) {
        startsFromPrior = false
        self.value = value
        self.ttl = ttl
    }

    /// Makes the slot hold an absolute value (its TTL untouched).
    mutating func setAbsolute(_ v: Double) {
        startsFromPrior = false
        value = v
        laterDeltas = []
    }

    @inline(__always)
    static func isTruthy(_ v: Double) -> Bool { v != 0 && !v.isNaN }

    mutating func apply(_ v: Double, signed: Bool) {
        if !startsFromPrior {
            if signed && GaugeSlot.isTruthy(value) { value += v } else { value = v }
        } else if signed {
            laterDeltas.append(v)
        } else {
            startsFromPrior = false
            value = v
            laterDeltas = []
        }
    }

    /// The gauge's value given the value before this slot's samples (nil = no gauge).
    func resolved(prior: Double?) -> Double {
        guard startsFromPrior else { return value }
        var current: Double
        if let prior, GaugeSlot.isTruthy(prior) { current = prior + value } else { current = value }
        for d in laterDeltas {
            if GaugeSlot.isTruthy(current) { current += d } else { current = d }
        }
        return current
    }
}
