/// A built-in function of the manhole (`len`, `whisper.info`, `writeCachedDataPoints`, ...).
final class FunctionObject: ManholeObject {
    typealias Body = (Arguments, Invocation) throws -> PythonValue

    let name: String
    let doc: String
    let body: Body

    init(_ name: String, doc: String, _ body: @escaping Body) {
        self.name = name
        self.doc = doc
        self.body = body
    }

    var typeName: String { "builtin_function_or_method" }
    var repr: String { "<built-in function \(name)>" }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try body(arguments, run)
    }
}
