/// A stack or memo entry while decoding.
///
/// Python's lists, dicts and sets are mutable and shared by reference through the memo (a
/// list can be PUT while empty and appended to later, and every GET sees the appends). They
/// live in arenas inside the decoder and are referred to here by index, so sharing costs
/// nothing, cycles leak nothing, and freeing never recurses through a long chain.
/// Everything immutable whose contents are complete is already a `PickleValue`.
enum PickleNode {
    /// A finished immutable value. `weight` counts the values it contains (itself included),
    /// `depth` its container nesting (0 for a scalar); both are exact because it never changes.
    case value(PickleValue, weight: Int, depth: Int)
    /// A tuple holding at least one mutable container (so it cannot be frozen yet).
    /// `depth` counts referenced containers as depth 1: the real depth is checked at the end.
    case tuple([PickleNode], depth: Int)
    /// Index into the decoder's list arena.
    case list(Int)
    /// Index into the decoder's dict arena.
    case dict(Int)
    /// Index into the decoder's set arena (sets from EMPTY_SET; FROZENSET gives a `.value`).
    case set(Int)

    static func scalar(_ value: PickleValue) -> PickleNode { .value(value, weight: 1, depth: 0) }

    /// Known lower bound of the nesting depth.
    var depth: Int {
        switch self {
        case .value(_, _, let depth), .tuple(_, let depth): return depth
        case .list, .dict, .set: return 1
        }
    }

    /// Python can hash it: immutable all the way down. Only finished values qualify; a
    /// tuple holding a list, or a list, dict or set, do not.
    var isHashable: Bool {
        if case .value = self { return true }
        return false
    }
}
