/// The arguments of a call, with Python's checks (missing, unexpected, wrong type).
public struct Arguments {
    public var positional: [PythonValue]
    public var keywords: [(name: String, value: PythonValue)]

    public init(_ positional: [PythonValue] = [], keywords: [(name: String, value: PythonValue)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    /// Refuses more positional arguments than `names` and keywords not in `names`.
    public func check(_ function: String, _ names: [String]) throws {
        if positional.count > names.count {
            let takes = names.isEmpty ? "no arguments" : "at most \(names.count) argument\(names.count == 1 ? "" : "s")"
            throw PythonError.type("\(function)() takes \(takes) (\(positional.count) given)")
        }
        for keyword in keywords where !names.contains(keyword.name) {
            throw PythonError.type("\(function)() got an unexpected keyword argument \(PythonValue.repr(keyword.name))")
        }
    }

    /// The argument at `position` or named `name`; nil when absent.
    public func value(_ position: Int, _ name: String) -> PythonValue? {
        if position < positional.count { return positional[position] }
        return keywords.last { $0.name == name }?.value
    }

    public func required(_ function: String, _ position: Int, _ name: String) throws -> PythonValue {
        guard let value = value(position, name) else {
            throw PythonError.type("\(function)() missing required argument: \(PythonValue.repr(name))")
        }
        return value
    }

    public func string(_ function: String, _ position: Int, _ name: String, default fallback: String? = nil) throws -> String {
        guard let value = value(position, name) ?? fallback.map(PythonValue.string) else {
            throw PythonError.type("\(function)() missing required argument: \(PythonValue.repr(name))")
        }
        guard case let .string(text) = value else {
            throw PythonError.type("\(function)() argument \(PythonValue.repr(name)) must be str, not \(value.typeName)")
        }
        return text
    }

    /// A number, or nil when absent or None.
    public func number(_ function: String, _ position: Int, _ name: String) throws -> Double? {
        guard let value = value(position, name) else { return nil }
        if case .none = value { return nil }
        guard let number = value.numeric else {
            throw PythonError.type("\(function)() argument \(PythonValue.repr(name)) must be a number, not \(value.typeName)")
        }
        return number
    }
}
