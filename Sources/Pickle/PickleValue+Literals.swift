// Literal conformances so answers can be written the way the Python source writes them:
// `["datapoints": .list(points)]` instead of `.dict([(.string("datapoints"), …)])`.

extension PickleValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PickleValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension PickleValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension PickleValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension PickleValue: ExpressibleByArrayLiteral {
    /// An array literal is a Python list.
    public init(arrayLiteral elements: PickleValue...) { self = .list(elements) }
}

extension PickleValue: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is a Python dict, keeping the literal's order.
    public init(dictionaryLiteral elements: (PickleValue, PickleValue)...) {
        self = .dict(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension PickleValue: CustomStringConvertible {
    /// Roughly Python's `repr`, for logs and test failures.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .bigInt(let bytes): return PickleInteger.decimalString(fromTwosComplement: bytes)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            return String(d)
        case .string(let s): return "'" + s + "'"
        case .bytes(let b): return "b'" + b.map { byte in
                byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined() + "'"
        case .list(let e): return "[" + e.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let e): return "(" + e.map(\.description).joined(separator: ", ") + (e.count == 1 ? ",)" : ")")
        case .set(let e): return e.isEmpty ? "set()" : "{" + e.map(\.description).joined(separator: ", ") + "}"
        case .dict(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
