/// How large and how deep a value a statement may build. A value can hold the same value in
/// several places without copying it, so `x = [x, x]` repeated doubles what printing or
/// comparing x walks at every step, and `x = [x]` repeated nests it ever deeper; freeing,
/// printing and comparing recurse once per level. Either, on one short line, took the whole
/// server down (out of memory; a stack overflow).
extension PythonValue {
    /// The most values a built value may visit, counting a shared value once per place it
    /// appears (a list of a million numbers is about 50 MB). Lists the cache returns, such as
    /// `MetricCache.counts()`, are not bounded; only what a statement builds from them.
    public static let maxVisitedValues = 1 << 20
    /// The deepest nesting a built value may have; what the cache shows is 3 deep.
    public static let maxNesting = 200

    /// The value itself when it is within the bounds; MemoryError or RecursionError otherwise.
    /// Every list, tuple and dict a statement builds passes here, so the values it is made of
    /// are already within the bounds and the walk recurses at most `maxNesting` deep. A value
    /// shared by several places is measured once (by its storage), so `x = [x, x]` costs one
    /// step per distinct list, not one per place.
    public func bounded() throws -> PythonValue {
        var measured: [UnsafeRawPointer: Measure] = [:]
        let measure = self.measure(&measured)
        guard measure.places <= Self.maxVisitedValues else {
            throw PythonError("MemoryError", "the manhole refuses values of over \(Self.maxVisitedValues) items")
        }
        guard measure.depth <= Self.maxNesting else {
            throw PythonError("RecursionError", "the manhole refuses values nested over \(Self.maxNesting) deep")
        }
        return self
    }

    /// How many places a value fills (itself and everything inside, a shared value once per
    /// place it appears, saturating just past the bound) and how deep it nests.
    public struct Measure: Sendable {
        public var places: Int
        public var depth: Int

        public static let scalar = Measure(places: 1, depth: 0)

        public mutating func add(_ inner: Measure) {
            places = min(places + inner.places, PythonValue.maxVisitedValues + 1)
            depth = max(depth, inner.depth + 1)
        }
    }

    private func measure(_ measured: inout [UnsafeRawPointer: Measure]) -> Measure {
        switch self {
        case let .list(items), let .tuple(items):
            return Self.measure(items, &measured) { total, item, measured in total.add(item.measure(&measured)) }
        case let .dict(pairs):
            return Self.measure(pairs, &measured) { total, pair, measured in
                total.add(pair.key.measure(&measured))
                total.add(pair.value.measure(&measured))
            }
        default:
            return .scalar
        }
    }

    /// Measures a container's elements once per storage buffer.
    private static func measure<Element>(_ elements: [Element], _ measured: inout [UnsafeRawPointer: Measure],
                                         _ add: (inout Measure, Element, inout [UnsafeRawPointer: Measure]) -> Void) -> Measure {
        let storage = elements.withUnsafeBufferPointer { $0.baseAddress.map { UnsafeRawPointer($0) } }
        if let storage, let known = measured[storage] { return known }
        var total = Measure.scalar
        for element in elements where total.places <= maxVisitedValues {
            add(&total, element, &measured)
        }
        if let storage { measured[storage] = total }
        return total
    }
}
