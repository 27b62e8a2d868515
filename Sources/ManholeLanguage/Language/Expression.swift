/// The syntax tree of a manhole expression.
public indirect enum Expression {
    case name(String)
    case constant(PythonValue)
    case list([Expression])
    case tuple([Expression])
    case dict([(key: Expression, value: Expression)])
    case attribute(Expression, String)
    case index(Expression, Expression)
    /// `base[lower:upper]`.
    case slice(Expression, Expression?, Expression?)
    case call(Expression, arguments: [Expression], keywords: [(name: String, value: Expression)])
    /// `-`, `+`, `not`.
    case unary(String, Expression)
    /// Arithmetic and comparison operators.
    case binary(String, Expression, Expression)
}
