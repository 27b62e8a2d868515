/// `dir()` (the session's names) and `dir(x)` (x's attributes).
final class DirObject: ManholeObject {
    var typeName: String { "builtin_function_or_method" }
    var repr: String { "<built-in function dir>" }
    var doc: String { "dir(x): the names defined in the session, or x's attributes" }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try arguments.check("dir", ["object"])
        guard let value = arguments.value(0, "object") else {
            return .list(run.interpreter.visibleNames.map(PythonValue.string))
        }
        return .list(Self.attributes(of: value).map(PythonValue.string))
    }

    static func attributes(of value: PythonValue) -> [String] {
        switch value {
        case let .object(object): return object.attributeNames.sorted()
        case .dict: return ["get", "items", "keys", "values"]
        case .string: return ["lower", "split", "startswith", "upper"]
        default: return []
        }
    }
}
