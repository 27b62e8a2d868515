/// carbon's value typing for carbon.conf (ConfigParser + carbon's own coercion): booleans
/// true/false/yes/no/on/off/1/0, numbers where `inf` means unlimited, comma-separated lists.
public enum ConfigValue {
    /// Why a value was refused; the loader adds the key and the file.
    public struct Invalid: Error, Equatable, Sendable {
        public var reason: String
    }

    public static func bool(_ text: String) throws(Invalid) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw Invalid(reason: "expected a boolean (true/false, yes/no, on/off, 1/0)")
        }
    }

    /// A whole number; `inf` (any case) gives nil: no limit.
    public static func limit(_ text: String) throws(Invalid) -> Int? {
        let lower = text.lowercased()
        if lower == "inf" || lower == "infinity" || lower == "none" { return nil }
        guard let value = Double(text), value.isFinite, value >= 0, value <= Double(Int.max / 2) else {
            throw Invalid(reason: "expected a non-negative number or inf")
        }
        return Int(value)
    }

    /// A non-negative number; `inf` gives nil: no limit.
    public static func rate(_ text: String) throws(Invalid) -> Double? {
        let lower = text.lowercased()
        if lower == "inf" || lower == "infinity" || lower == "none" { return nil }
        guard let value = Double(text), value.isFinite, value > 0 else {
            throw Invalid(reason: "expected a positive number or inf")
        }
        return value
    }

    public static func integer(_ text: String, in range: ClosedRange<Int>) throws(Invalid) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw Invalid(reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public static func number(_ text: String, in range: ClosedRange<Double>) throws(Invalid) -> Double {
        guard let value = Double(text), range.contains(value) else {
            throw Invalid(reason: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public static func port(_ text: String) throws(Invalid) -> Int {
        try integer(text, in: 0...65535)
    }

    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(Substring(self).trimmingCharacters(in: set))
    }
}
