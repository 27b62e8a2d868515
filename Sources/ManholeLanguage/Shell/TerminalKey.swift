/// A key the operator pressed, decoded from the bytes a terminal sends.
public enum TerminalKey: Equatable {
    /// Printable text (one or more characters).
    case text(String)
    case enter, backspace, delete, tab
    case left, right, up, down, home, end
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D.
    case endOfInput
    /// Ctrl-U: delete from the start of the line to the cursor.
    case killToStart
    /// Ctrl-K: delete from the cursor to the end of the line.
    case killToEnd
    /// Ctrl-W: delete the word before the cursor.
    case deleteWord
    /// Ctrl-L.
    case clearScreen
}
