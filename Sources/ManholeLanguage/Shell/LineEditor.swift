/// The interactive line editor of the manhole's terminal: a pure value that turns keys into
/// the bytes to echo and the lines entered. Echo, backspace, left/right, Home/End (and
/// Ctrl-A/E), Ctrl-U/K/W, history (up/down), Ctrl-C (cancel the line), Ctrl-D (end on an
/// empty line) and tab completion through a caller-supplied completer. Output uses `\r\n`;
/// every character is assumed one column wide.
public struct LineEditor {
    public enum Event: Equatable {
        case line(String)
        case interrupt
        case endOfInput
    }

    public var prompt: String
    private(set) var buffer: [Character] = []
    private(set) var cursor = 0
    private(set) var history: [String] = []
    public var historyLimit = 500
    private var historyIndex: Int?
    private var draft: [Character] = []

    public init(prompt: String = ">>> ") {
        self.prompt = prompt
    }

    public var text: String { String(buffer) }

    /// Handles one key: the bytes to send to the terminal, and the event it completes.
    public mutating func handle(_ key: TerminalKey, completer: (String) -> Completion = { _ in .none }) -> (output: String, event: Event?) {
        switch key {
        case let .text(text):
            let chars = Array(text)
            buffer.insert(contentsOf: chars, at: cursor)
            cursor += chars.count
            if cursor == buffer.count { return (text, nil) }
            return (redraw(), nil)
        case .enter:
            let line = String(buffer)
            remember(line)
            reset()
            return ("\r\n", .line(line))
        case .interrupt:
            reset()
            return ("^C\r\n", .interrupt)
        case .endOfInput:
            if buffer.isEmpty {
                return ("\r\n", .endOfInput)
            }
            return (deleteForward(), nil)
        case .backspace:
            guard cursor > 0 else { return ("\u{7}", nil) }
            buffer.remove(at: cursor - 1)
            cursor -= 1
            if cursor == buffer.count { return ("\u{8}\u{1b}[K", nil) }
            return (redraw(), nil)
        case .delete:
            return (deleteForward(), nil)
        case .left:
            guard cursor > 0 else { return ("", nil) }
            cursor -= 1
            return ("\u{1b}[D", nil)
        case .right:
            guard cursor < buffer.count else { return ("", nil) }
            cursor += 1
            return ("\u{1b}[C", nil)
        case .home:
            cursor = 0
            return (redraw(), nil)
        case .end:
            cursor = buffer.count
            return (redraw(), nil)
        case .killToStart:
            buffer.removeFirst(cursor)
            cursor = 0
            return (redraw(), nil)
        case .killToEnd:
            buffer.removeLast(buffer.count - cursor)
            return (redraw(), nil)
        case .deleteWord:
            var start = cursor
            while start > 0, buffer[start - 1] == " " { start -= 1 }
            while start > 0, buffer[start - 1] != " " { start -= 1 }
            buffer.removeSubrange(start..<cursor)
            cursor = start
            return (redraw(), nil)
        case .clearScreen:
            return ("\u{1b}[H\u{1b}[2J" + redraw(), nil)
        case .up:
            guard !history.isEmpty else { return ("", nil) }
            if let index = historyIndex {
                guard index > 0 else { return ("", nil) }
                historyIndex = index - 1
            } else {
                draft = buffer
                historyIndex = history.count - 1
            }
            buffer = Array(history[historyIndex!])
            cursor = buffer.count
            return (redraw(), nil)
        case .down:
            guard let index = historyIndex else { return ("", nil) }
            if index + 1 < history.count {
                historyIndex = index + 1
                buffer = Array(history[index + 1])
            } else {
                historyIndex = nil
                buffer = draft
            }
            cursor = buffer.count
            return (redraw(), nil)
        case .tab:
            return (complete(completer), nil)
        }
    }

    /// Feeds several keys; for tests and callers that do not interleave output.
    public mutating func handle(_ keys: [TerminalKey], completer: (String) -> Completion = { _ in .none }) -> (output: String, events: [Event]) {
        var output = ""
        var events: [Event] = []
        for key in keys {
            let (text, event) = handle(key, completer: completer)
            output += text
            if let event { events.append(event) }
        }
        return (output, events)
    }

    /// The prompt and the current line, cursor in place (after output interrupted the line).
    public func redraw() -> String {
        var out = "\r" + prompt + String(buffer) + "\u{1b}[K"
        if cursor < buffer.count { out += "\u{1b}[\(buffer.count - cursor)D" }
        return out
    }

    private mutating func deleteForward() -> String {
        guard cursor < buffer.count else { return "" }
        buffer.remove(at: cursor)
        return redraw()
    }

    private mutating func remember(_ line: String) {
        guard !line.allSatisfy({ $0 == " " }), history.last != line else { return }
        history.append(line)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }

    private mutating func reset() {
        buffer = []
        cursor = 0
        historyIndex = nil
        draft = []
    }

    private mutating func complete(_ completer: (String) -> Completion) -> String {
        let before = String(buffer[..<cursor])
        let completion = completer(before)
        guard !completion.candidates.isEmpty, completion.replacing <= cursor else { return "\u{7}" }
        let typed = String(buffer[(cursor - completion.replacing)..<cursor])
        let common = Self.commonPrefix(completion.candidates)
        if common.count > typed.count, common.hasPrefix(typed) || completion.candidates.count == 1 {
            let replacement = Array(common)
            buffer.replaceSubrange((cursor - completion.replacing)..<cursor, with: replacement)
            cursor += replacement.count - completion.replacing
            return redraw()
        }
        if completion.candidates.count == 1 { return "" }
        return "\r\n" + completion.candidates.joined(separator: "  ") + "\r\n" + redraw()
    }

    public static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let chars = Array(word)
            var n = 0
            while n < prefix.count, n < chars.count, prefix[n] == chars[n] { n += 1 }
            prefix.removeLast(prefix.count - n)
        }
        return String(prefix)
    }
}
