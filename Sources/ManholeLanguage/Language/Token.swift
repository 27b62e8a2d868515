/// One lexical token of a manhole statement, with the column it starts at (for carets).
public struct Token: Equatable {
    public enum Kind: Equatable {
        case name(String)
        case int(Int)
        case float(Double)
        case string(String)
        /// Punctuation and operators: ( ) [ ] { } , . : ; = + - * / % == != < > <= >= **
        case symbol(String)
        case end
    }

    public var kind: Kind
    public var column: Int

    /// The text a SyntaxError shows for this token.
    public var isName: Bool {
        if case .name = kind { return true }
        return false
    }

    public func isSymbol(_ text: String) -> Bool { kind == .symbol(text) }

    public func isKeyword(_ text: String) -> Bool { kind == .name(text) }
}
