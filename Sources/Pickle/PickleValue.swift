/// A decoded pickle, or an answer to encode: the pure-data subset of Python objects.
///
/// Mapping from Python:
/// - `None` → `.none`, `bool` → `.bool`, `float` → `.float`.
/// - `int` → `.int` when it fits in Int64, otherwise `.bigInt` holding the minimal
///   little-endian two's-complement bytes (exactly a LONG1/LONG4 payload), so `.bigInt`
///   never holds a value that fits in Int64 and equal integers compare equal.
/// - py3 `str` and py2 `str` (STRING/BINSTRING/SHORT_BINSTRING, decoded as UTF-8 the way
///   carbon does) → `.string`; py3 `bytes` and `bytearray` → `.bytes`.
/// - `list` → `.list`, `tuple` → `.tuple`.
/// - `dict` → `.dict`: key/value pairs in stream order. Duplicate keys are kept as sent;
///   `subscript(key:)` returns the last one, which is the value Python's dict would hold.
/// - `set` and `frozenset` (protocol 4+ EMPTY_SET/ADDITEMS/FROZENSET) → `.set`, elements in
///   stream order, duplicates not removed (Python's own iteration order is hash order anyway).
public enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int64)
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    case dict([(key: PickleValue, value: PickleValue)])
    case set([PickleValue])

    public static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.bigInt(a), .bigInt(b)): return a == b
        case let (.float(a), .float(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.tuple(a), .tuple(b)): return a == b
        case let (.set(a), .set(b)): return a == b
        case let (.dict(a), .dict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The string of `.string`; nil otherwise (bytes are not names: carbon drops them).
    public var asString: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements of a list or tuple; nil otherwise.
    public var asSequence: [PickleValue]? {
        switch self {
        case .list(let elements), .tuple(let elements): return elements
        default: return nil
        }
    }

    /// The pairs of a dict; nil otherwise.
    public var asDict: [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let pairs) = self { return pairs }
        return nil
    }

    /// The integer of `.int` or `.bool` (Python's bool is an int); nil otherwise.
    public var asInt64: Int64? {
        switch self {
        case .int(let v): return v
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// For a dict, the value of the last pair whose key is the string `key`; nil otherwise.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let pairs) = self else { return nil }
        for pair in pairs.reversed() {
            if case .string(let k) = pair.key, k == key { return pair.value }
        }
        return nil
    }

    /// What Python's `float(x)` returns, or nil where it raises (ValueError, TypeError,
    /// OverflowError). Carbon passes both timestamp and value of every datapoint through it.
    /// - ints and bools convert exactly as Python does (round half to even); a big int beyond
    ///   the double range is nil (OverflowError).
    /// - str: Python `float()` syntax: surrounding whitespace, sign, decimal digits (any
    ///   Unicode decimal digits), `_` between digits, fraction, exponent, and
    ///   inf/infinity/nan in any case. `"1e999"` gives infinity, as in Python. Hex floats and
    ///   other C `strtod` extensions are refused.
    /// - bytes: the same syntax restricted to ASCII (Python accepts bytes in `float()`).
    /// - None, containers: nil.
    public var asDouble: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .bigInt(let bytes): return PickleInteger.double(fromTwosComplement: bytes)
        case .string(let s): return PythonFloatSyntax.parse(s)
        case .bytes(let b): return PythonFloatSyntax.parse(ascii: b[...], pythonFloatFunction: true)
        default: return nil
        }
    }
}
