/// One manhole statement: the Python statements an operator types in a carbon manhole.
public enum Statement {
    /// An expression whose value is echoed (repr) unless it is None.
    case expression(Expression)
    /// Python 2's `print a, b`: str() of each, separated by spaces.
    case print([Expression])
    case assign(String, Expression)
    /// `import a.b [as c]`: binds `c`, or the first component when there is no alias.
    case importModule(path: [String], alias: String?)
    /// `from a.b import c [as d], ...`.
    case fromImport(path: [String], names: [(name: String, alias: String?)])
    case pass
}
