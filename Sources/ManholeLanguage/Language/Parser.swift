/// Parses one line of manhole input (statements separated by `;`) into statements. Only the
/// grammar below exists; anything else is a SyntaxError pointing at the offending token.
///
///     line       := statement (';' statement)* [';']
///     statement  := 'from' dotted 'import' name ['as' name] (',' ...)*
///                 | 'import' dotted ['as' name] | 'pass' | 'print' [exprs]
///                 | NAME '=' exprs | exprs
///     exprs      := expr (',' expr)* [',']
///     expr       := sum [('=='|'!='|'<'|'>'|'<='|'>=') sum] | 'not' expr
///     sum        := term (('+'|'-') term)* ;  term := unary (('*'|'/'|'//'|'%') unary)*
///     unary      := ('-'|'+') unary | power ;  power := postfix ['**' unary]
///     postfix    := atom ('.' NAME | '(' args ')' | '[' subscript ']')*
///     atom       := NAME | number | string+ | '(' [exprs] ')' | '[' [exprs] ']' | '{' [pairs] '}'
public struct Parser {
    private var tokens: [Token]
    private var index = 0
    private var depth = 0
    public static let maxDepth = 200

    public static let keywords: Set<String> = [
        "from", "import", "as", "print", "pass", "not", "and", "or", "in", "is", "def", "class", "lambda",
        "if", "else", "elif", "for", "while", "return", "del", "global", "with", "try", "except", "raise",
        "yield", "assert", "exec",
    ]

    public init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Tokens per line: bounds the syntax tree (and the evaluator's recursion over it).
    public static let maxTokens = 4096

    public static func parse(_ line: String) throws(PythonError) -> [Statement] {
        let tokens = try Tokenizer.tokenize(line)
        guard tokens.count <= maxTokens else {
            throw .syntax("line too long for the manhole (over \(maxTokens) tokens)", at: tokens[maxTokens].column)
        }
        var parser = Parser(tokens: tokens)
        return try parser.parseLine()
    }

    private var current: Token { tokens[index] }
    private var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func invalid() -> PythonError {
        .syntax("invalid syntax", at: current.column)
    }

    private mutating func expect(_ symbol: String) throws(PythonError) {
        guard current.isSymbol(symbol) else {
            if current.kind == .end, symbol == ")" || symbol == "]" || symbol == "}" {
                throw .syntax("unexpected EOF while parsing", at: current.column)
            }
            throw invalid()
        }
        _ = advance()
    }

    private mutating func name() throws(PythonError) -> String {
        guard case let .name(text) = current.kind, !Self.keywords.contains(text) else { throw invalid() }
        _ = advance()
        return text
    }

    public mutating func parseLine() throws(PythonError) -> [Statement] {
        var statements: [Statement] = []
        while current.kind != .end {
            statements.append(try statement())
            if current.isSymbol(";") {
                _ = advance()
                continue
            }
            guard current.kind == .end else { throw invalid() }
        }
        return statements
    }

    private mutating func dotted() throws(PythonError) -> [String] {
        var path = [try name()]
        while current.isSymbol(".") {
            _ = advance()
            path.append(try name())
        }
        return path
    }

    private mutating func statement() throws(PythonError) -> Statement {
        switch current.kind {
        case .name("from"):
            _ = advance()
            let path = try dotted()
            guard current.isKeyword("import") else { throw invalid() }
            _ = advance()
            let parenthesised = current.isSymbol("(")
            if parenthesised { _ = advance() }
            var names: [(name: String, alias: String?)] = []
            repeat {
                if !names.isEmpty { _ = advance() }
                if parenthesised, current.isSymbol(")") { break }
                if current.isSymbol("*") { throw .syntax("'import *' is not supported in the manhole", at: current.column) }
                let imported = try name()
                var alias: String?
                if current.isKeyword("as") {
                    _ = advance()
                    alias = try name()
                }
                names.append((imported, alias))
            } while current.isSymbol(",")
            if parenthesised { try expect(")") }
            return .fromImport(path: path, names: names)
        case .name("import"):
            _ = advance()
            let path = try dotted()
            var alias: String?
            if current.isKeyword("as") {
                _ = advance()
                alias = try name()
            }
            return .importModule(path: path, alias: alias)
        case .name("pass"):
            _ = advance()
            return .pass
        case .name("print"):
            // print(...) is Python 3's function call; `print x` is Python 2's statement.
            if next.isSymbol("(") { return .expression(try expressions()) }
            _ = advance()
            var items: [Expression] = []
            while current.kind != .end, !current.isSymbol(";") {
                items.append(try expression())
                guard current.isSymbol(",") else { break }
                _ = advance()
            }
            return .print(items)
        case let .name(target) where next.isSymbol("=") && !Self.keywords.contains(target):
            _ = advance()
            _ = advance()
            return .assign(target, try expressions())
        case let .name(word) where Self.keywords.contains(word) && !["not"].contains(word):
            throw invalid()
        default:
            let value = try expressions()
            if current.isSymbol("=") {
                throw .syntax("cannot assign to expression here; only names can be assigned", at: current.column)
            }
            return .expression(value)
        }
    }

    /// One expression, or a tuple of several separated by commas.
    private mutating func expressions() throws(PythonError) -> Expression {
        let first = try expression()
        guard current.isSymbol(",") else { return first }
        var items = [first]
        while current.isSymbol(",") {
            _ = advance()
            if current.kind == .end || current.isSymbol(";") || current.isSymbol(")") || current.isSymbol("=") { break }
            items.append(try expression())
        }
        return .tuple(items)
    }

    private mutating func expression() throws(PythonError) -> Expression {
        // Each nesting level costs stack on the connection thread: bound it as CPython does.
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw .syntax("too many nested parentheses", at: current.column) }
        if current.isKeyword("not") {
            _ = advance()
            return .unary("not", try expression())
        }
        let left = try sum()
        if case let .symbol(op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
            _ = advance()
            return .binary(op, left, try sum())
        }
        return left
    }

    private mutating func sum() throws(PythonError) -> Expression {
        var links = 0
        defer { depth -= links }
        var left = try term()
        while case let .symbol(op) = current.kind, op == "+" || op == "-" {
            try deepen(&links)
            _ = advance()
            left = .binary(op, left, try term())
        }
        return left
    }

    /// One more link of a left-nested chain (`a + b + c`, `a.b.c`): it deepens the tree the
    /// evaluator recurses over, so it counts against the same limit as nesting.
    private mutating func deepen(_ links: inout Int) throws(PythonError) {
        links += 1
        depth += 1
        guard depth <= Self.maxDepth else { throw .syntax("expression too deeply nested for the manhole", at: current.column) }
    }

    private mutating func term() throws(PythonError) -> Expression {
        var links = 0
        defer { depth -= links }
        var left = try unary()
        while case let .symbol(op) = current.kind, ["*", "/", "//", "%"].contains(op) {
            try deepen(&links)
            _ = advance()
            left = .binary(op, left, try unary())
        }
        return left
    }

    private mutating func unary() throws(PythonError) -> Expression {
        if case let .symbol(op) = current.kind, op == "-" || op == "+" {
            _ = advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw .syntax("too many nested operators", at: current.column) }
            return .unary(op, try unary())
        }
        let base = try postfix()
        if current.isSymbol("**") {
            _ = advance()
            return .binary("**", base, try unary())
        }
        return base
    }

    private mutating func postfix() throws(PythonError) -> Expression {
        var links = 0
        defer { depth -= links }
        var value = try atom()
        while true {
            if current.isSymbol(".") || current.isSymbol("(") || current.isSymbol("[") { try deepen(&links) }
            if current.isSymbol(".") {
                _ = advance()
                guard case let .name(attribute) = current.kind else { throw invalid() }
                _ = advance()
                value = .attribute(value, attribute)
            } else if current.isSymbol("(") {
                _ = advance()
                var arguments: [Expression] = []
                var keywords: [(name: String, value: Expression)] = []
                while !current.isSymbol(")") {
                    if case let .name(keyword) = current.kind, next.isSymbol("=") {
                        _ = advance()
                        _ = advance()
                        keywords.append((keyword, try expression()))
                    } else {
                        guard keywords.isEmpty else {
                            throw .syntax("positional argument follows keyword argument", at: current.column)
                        }
                        arguments.append(try expression())
                    }
                    guard current.isSymbol(",") else { break }
                    _ = advance()
                }
                try expect(")")
                value = .call(value, arguments: arguments, keywords: keywords)
            } else if current.isSymbol("[") {
                _ = advance()
                var lower: Expression?
                if !current.isSymbol(":") { lower = try expressions() }
                if current.isSymbol(":") {
                    _ = advance()
                    var upper: Expression?
                    if !current.isSymbol("]") { upper = try expression() }
                    try expect("]")
                    value = .slice(value, lower, upper)
                } else {
                    try expect("]")
                    value = .index(value, lower!)
                }
            } else {
                return value
            }
        }
    }

    private mutating func atom() throws(PythonError) -> Expression {
        let token = current
        switch token.kind {
        case let .int(value):
            _ = advance()
            return .constant(.int(value))
        case let .float(value):
            _ = advance()
            return .constant(.float(value))
        case .string:
            var text = ""
            while case let .string(part) = current.kind {
                text += part
                _ = advance()
            }
            return .constant(.string(text))
        case .name("None"):
            _ = advance()
            return .constant(.none)
        case .name("True"):
            _ = advance()
            return .constant(.bool(true))
        case .name("False"):
            _ = advance()
            return .constant(.bool(false))
        case let .name(text):
            // `print` inside an expression is the function (Python 3 spelling).
            guard !Self.keywords.contains(text) || text == "print" else { throw invalid() }
            _ = advance()
            return .name(text)
        case .symbol("("):
            _ = advance()
            if current.isSymbol(")") {
                _ = advance()
                return .tuple([])
            }
            let first = try expression()
            if current.isSymbol(")") {
                _ = advance()
                return first
            }
            var items = [first]
            while current.isSymbol(",") {
                _ = advance()
                if current.isSymbol(")") { break }
                items.append(try expression())
            }
            try expect(")")
            return .tuple(items)
        case .symbol("["):
            _ = advance()
            var items: [Expression] = []
            while !current.isSymbol("]") {
                items.append(try expression())
                guard current.isSymbol(",") else { break }
                _ = advance()
            }
            try expect("]")
            return .list(items)
        case .symbol("{"):
            _ = advance()
            var pairs: [(key: Expression, value: Expression)] = []
            while !current.isSymbol("}") {
                let key = try expression()
                try expect(":")
                pairs.append((key, try expression()))
                guard current.isSymbol(",") else { break }
                _ = advance()
            }
            try expect("}")
            return .dict(pairs)
        case .end:
            throw .syntax("invalid syntax", at: token.column)
        default:
            throw invalid()
        }
    }
}
