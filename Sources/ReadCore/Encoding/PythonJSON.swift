import Pickle

/// `json.dumps(value)` as graphite-web's views call it (docs/reads.md §4): `", "` and `": "`
/// separators, non-ASCII escaped (`ensure_ascii`), floats as Python's `repr`, `NaN` and
/// `Infinity` for the specials (the render view then turns `NaN,` into `null,`).
public enum PythonJSON {
    public static func encode(_ value: PickleValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func write(_ value: PickleValue, into out: inout [UInt8]) {
        switch value {
        case .none: out += Array("null".utf8)
        case let .bool(b): out += Array((b ? "true" : "false").utf8)
        case let .int(i): out += Array(String(i).utf8)
        case let .float(f): out += Array(float(f).utf8)
        case let .string(s): string(s, into: &out)
        case let .bytes(b): string(String(decoding: b, as: UTF8.self), into: &out)
        case .bigInt: out += Array("null".utf8)
        case let .list(items), let .tuple(items), let .set(items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .dict(pairs):
            out.append(UInt8(ascii: "{"))
            for (k, pair) in pairs.enumerated() {
                if k > 0 { out += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                if case let .string(key) = pair.key { string(key, into: &out) } else { string("\(pair.key)", into: &out) }
                out += [UInt8(ascii: ":"), UInt8(ascii: " ")]
                write(pair.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Python's `float.__repr__`, with json's names for the specials.
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return PythonFloatSyntax.repr(value)
    }

    static let hex = Array("0123456789abcdef".utf8)

    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case 0x5C: out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x20..<0x7F: out.append(UInt8(unit))
            default:
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"),
                        hex[Int(unit >> 12)], hex[Int(unit >> 8 & 0xF)], hex[Int(unit >> 4 & 0xF)], hex[Int(unit & 0xF)]]
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
