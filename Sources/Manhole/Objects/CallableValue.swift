/// A value that is also callable and returns itself: carbon 0.9's `MetricCache.counts()` and
/// carbon 1.1's `MetricCache().counts` property print the same list this way.
final class CallableValue: ManholeObject {
    let value: PythonValue

    init(_ value: PythonValue) {
        self.value = value
    }

    var typeName: String { value.typeName }
    var repr: String { value.repr }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try arguments.check("counts", [])
        return value
    }

    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        try Interpreter.index(value, key, run)
    }

    func length() throws -> Int {
        try Interpreter.length(value)
    }

    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        try Interpreter.attribute(value, name, run)
    }
}
