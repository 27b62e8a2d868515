/// A built-in function of the manhole (`len`, `whisper.info`, `writeCachedDataPoints`, ...).
public final class FunctionObject: ManholeObject {
    public typealias Body = (Arguments, Invocation) throws -> PythonValue

    public let name: String
    public let doc: String
    public let body: Body

    public init(_ name: String, doc: String, _ body: @escaping Body) {
        self.name = name
        self.doc = doc
        self.body = body
    }

    public var typeName: String { "builtin_function_or_method" }
    public var repr: String { "<built-in function \(name)>" }

    public func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try body(arguments, run)
    }
}
