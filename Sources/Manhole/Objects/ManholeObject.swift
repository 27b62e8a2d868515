/// A native object of the manhole language (a module, a function, the live cache, ...): what
/// Python would find through `getattr`, `__call__`, `__getitem__` and `__len__`. Objects live on
/// the connection thread that created them.
protocol ManholeObject: AnyObject {
    /// Python's `type(x).__name__`, used in error messages.
    var typeName: String { get }
    var repr: String { get }
    /// What `dir(x)` lists and tab completion offers after `x.`.
    var attributeNames: [String] { get }
    /// One paragraph for `help(x)`.
    var doc: String { get }
    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue
    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue
    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue
    func length() throws -> Int
}

extension ManholeObject {
    var attributeNames: [String] { [] }
    var doc: String { repr }

    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        throw PythonError.attribute(typeName, name)
    }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        throw PythonError.type("\(PythonValue.repr(typeName)) object is not callable")
    }

    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        throw PythonError.type("\(PythonValue.repr(typeName)) object is not subscriptable")
    }

    func length() throws -> Int {
        throw PythonError.type("object of type \(PythonValue.repr(typeName)) has no len()")
    }
}
