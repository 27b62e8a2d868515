/// One lexical token of a manhole statement, with the column it starts at (for carets).
struct Token: Equatable {
    enum Kind: Equatable {
        case name(String)
        case int(Int)
        case float(Double)
        case string(String)
        /// Punctuation and operators: ( ) [ ] { } , . : ; = + - * / % == != < > <= >= **
        case symbol(String)
        case end
    }

    var kind: Kind
    var column: Int

    /// The text a SyntaxError shows for this token.
    var isName: Bool {
        if case .name = kind { return true }
        return false
    }

    func isSymbol(_ text: String) -> Bool { kind == .symbol(text) }

    func isKeyword(_ text: String) -> Bool { kind == .name(text) }
}
