/// A value that is also callable and returns itself: carbon 0.9's `MetricCache.counts()` and
/// carbon 1.1's `MetricCache().counts` property print the same list this way.
public final class CallableValue: ManholeObject {
    public let value: PythonValue

    public init(_ value: PythonValue) {
        self.value = value
    }

    public var typeName: String { value.typeName }
    public var repr: String { value.repr }

    public func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        try arguments.check("counts", [])
        return value
    }

    public func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        try Interpreter.index(value, key, run)
    }

    public func length() throws -> Int {
        try Interpreter.length(value)
    }

    public func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        try Interpreter.attribute(value, name, run)
    }
}
