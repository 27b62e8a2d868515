/// A native object of the manhole language (a module, a function, the live cache, ...): what
/// Python would find through `getattr`, `__call__`, `__getitem__` and `__len__`. Objects live on
/// the connection thread that created them.
public protocol ManholeObject: AnyObject {
    /// Python's `type(x).__name__`, used in error messages.
    var typeName: String { get }
    var repr: String { get }
    /// What `dir(x)` lists and tab completion offers after `x.`.
    var attributeNames: [String] { get }
    /// One paragraph for `help(x)`.
    var doc: String { get }
    /// Whether tab completion may read its attributes after `x.` (reading must be free of
    /// side effects and cheap: modules and settings, not the live cache).
    var completesAttributes: Bool { get }
    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue
    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue
    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue
    func length() throws -> Int
}

extension ManholeObject {
    public var attributeNames: [String] { [] }
    public var doc: String { repr }
    public var completesAttributes: Bool { false }

    public func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        throw PythonError.attribute(typeName, name)
    }

    public func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        throw PythonError.type("\(PythonValue.repr(typeName)) object is not callable")
    }

    public func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        throw PythonError.type("\(PythonValue.repr(typeName)) object is not subscriptable")
    }

    public func length() throws -> Int {
        throw PythonError.type("object of type \(PythonValue.repr(typeName)) has no len()")
    }
}
