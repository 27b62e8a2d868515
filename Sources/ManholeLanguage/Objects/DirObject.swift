/// `dir()` (the session's names) and `dir(x)` (x's attributes).
public final class DirObject: ManholeObject {
    public var typeName: String { "builtin_function_or_method" }
    public var repr: String { "<built-in function dir>" }
    public var doc: String { "dir(x): the names defined in the session, or x's attributes" }

    public init() {}

    public func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try arguments.check("dir", ["object"])
        guard let value = arguments.value(0, "object") else {
            return .list(run.interpreter.visibleNames.map(PythonValue.string))
        }
        return .list(Self.attributes(of: value).map(PythonValue.string))
    }

    public static func attributes(of value: PythonValue) -> [String] {
        switch value {
        case let .object(object): return object.attributeNames.sorted()
        case .dict: return ["get", "items", "keys", "values"]
        case .string: return ["lower", "split", "startswith", "upper"]
        default: return []
        }
    }
}
