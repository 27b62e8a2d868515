/// A value of the manhole language: Python's built-in types the inspection commands need, plus
/// native objects (modules, functions, the live cache) that expose attributes and calls.
public enum PythonValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([PythonValue])
    case tuple([PythonValue])
    /// Insertion-ordered, as Python's dict.
    case dict([(key: PythonValue, value: PythonValue)])
    case object(any ManholeObject)

    /// Python's `type(x).__name__`.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case let .object(object): return object.typeName
        }
    }

    /// The longest string a statement may build (`'x' * n`, `a + b`).
    public static let maxStringBytes = 16 << 20

    /// A float as an int, truncated toward zero; OverflowError/ValueError where Python's int()
    /// would give a big integer or fail (Swift's conversion would trap).
    public static func integer(truncating value: Double) throws -> Int {
        guard value.isFinite else {
            throw value.isNaN ? PythonError("ValueError", "cannot convert float NaN to integer")
                : PythonError("OverflowError", "cannot convert float infinity to integer")
        }
        guard let result = Int(exactly: value.rounded(.towardZero)) else {
            throw PythonError("OverflowError", "int too large for the manhole: \(repr(value))")
        }
        return result
    }

    /// Python's `repr()`.
    public var repr: String {
        switch self {
        case .none: return "None"
        case let .bool(value): return value ? "True" : "False"
        case let .int(value): return String(value)
        case let .float(value): return Self.repr(value)
        case let .string(value): return Self.repr(value)
        case let .list(items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case let .tuple(items):
            if items.count == 1 { return "(" + items[0].repr + ",)" }
            return "(" + items.map(\.repr).joined(separator: ", ") + ")"
        case let .dict(pairs):
            return "{" + pairs.map { $0.key.repr + ": " + $0.value.repr }.joined(separator: ", ") + "}"
        case let .object(object): return object.repr
        }
    }

    /// Python's `str()`: strings print bare, everything else as its repr.
    public var str: String {
        if case let .string(value) = self { return value }
        return repr
    }

    /// Python's truth value.
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case let .bool(value): return value
        case let .int(value): return value != 0
        case let .float(value): return value != 0
        case let .string(value): return !value.isEmpty
        case let .list(items), let .tuple(items): return !items.isEmpty
        case let .dict(pairs): return !pairs.isEmpty
        case .object: return true
        }
    }

    /// Python's float repr: the shortest digits that round-trip, exponent form outside
    /// 1e-4 ..< 1e16 (Swift's `description` follows the same rules).
    public static func repr(_ value: Double) -> String {
        value.description
    }

    /// Python 3's string repr: single quotes unless the text holds a single quote and no
    /// double quote; control characters escaped.
    public static func repr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where Character(scalar) == quote: out += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `==` for the types that can be dict keys and list members.
    public func isEqual(to other: PythonValue) -> Bool {
        switch (self, other) {
        case (.none, .none): return true
        case let (.string(a), .string(b)): return a == b
        case let (.list(a), .list(b)), let (.tuple(a), .tuple(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case let (.object(a), .object(b)): return a === b
        default:
            if let a = numeric, let b = other.numeric { return a == b }
            return false
        }
    }

    /// The value as a number (bool, int and float), for arithmetic and comparisons.
    public var numeric: Double? {
        switch self {
        case let .bool(value): return value ? 1 : 0
        case let .int(value): return Double(value)
        case let .float(value): return value
        default: return nil
        }
    }

    /// The value as an integer (bool and int only, as Python's indices).
    public var integer: Int? {
        switch self {
        case let .bool(value): return value ? 1 : 0
        case let .int(value): return value
        default: return nil
        }
    }
}
