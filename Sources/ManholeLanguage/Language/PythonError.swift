/// An exception raised while running a manhole statement, printed as Python prints it.
public struct PythonError: Error, Equatable {
    /// Python's exception class name: NameError, KeyError, SyntaxError, ...
    public var type: String
    public var message: String
    /// For SyntaxError: the column (in characters) the caret points at.
    public var column: Int?

    public init(_ type: String, _ message: String, column: Int? = nil) {
        self.type = type
        self.message = message
        self.column = column
    }

    public static func syntax(_ message: String, at column: Int) -> PythonError {
        PythonError("SyntaxError", message, column: column)
    }

    public static func name(_ name: String) -> PythonError {
        PythonError("NameError", "name \(PythonValue.repr(name)) is not defined")
    }

    public static func attribute(_ typeName: String, _ name: String) -> PythonError {
        PythonError("AttributeError", "\(PythonValue.repr(typeName)) object has no attribute \(PythonValue.repr(name))")
    }

    public static func key(_ key: PythonValue) -> PythonError {
        PythonError("KeyError", key.repr)
    }

    public static func type(_ message: String) -> PythonError {
        PythonError("TypeError", message)
    }

    /// The text Python's console prints for this exception; `source` is the statement's line.
    public func formatted(source: String) -> String {
        if type == "SyntaxError" {
            var text = "  File \"<console>\", line 1\n"
            let trimmed = source.drop { $0 == " " }
            let indent = source.count - trimmed.count
            text += "    " + trimmed + "\n"
            let caret = max(0, min((column ?? 0) - indent, trimmed.count))
            text += "    " + String(repeating: " ", count: caret) + "^\n"
            return text + "SyntaxError: \(message)\n"
        }
        var text = "Traceback (most recent call last):\n  File \"<console>\", line 1, in <module>\n"
        text += message.isEmpty ? "\(type)\n" : "\(type): \(message)\n"
        return text
    }
}
