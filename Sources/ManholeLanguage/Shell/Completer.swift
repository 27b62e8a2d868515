/// Tab completion for the manhole: metric names inside a string literal (one path segment at
/// a time, from the live cache), attributes after `x.`, and session names otherwise.
public struct Completer {
    public let interpreter: Interpreter
    /// The names a string literal completes to (the host's metric names).
    public var metricNames: () -> [String] = { [] }

    public init(interpreter: Interpreter, metricNames: @escaping () -> [String] = { [] }) {
        self.interpreter = interpreter
        self.metricNames = metricNames
    }

    public static let statementWords = ["from", "import", "print"]

    public func complete(_ before: String) -> Completion {
        let chars = Array(before)
        if let quote = openQuote(chars) {
            let prefix = String(chars[(quote + 1)...])
            return Completion(replacing: prefix.count, candidates: metricCandidates(prefix))
        }
        var start = chars.count
        while start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber || chars[start - 1] == "_" || chars[start - 1] == "." {
            start -= 1
        }
        let word = String(chars[start...])
        if word.first?.isNumber == true { return .none }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let partial = parts.last ?? ""
        if parts.count == 1 {
            let names = Set(interpreter.visibleNames + (start == 0 ? Self.statementWords : []))
            return Completion(replacing: partial.count, candidates: names.filter { $0.hasPrefix(partial) && !$0.hasPrefix("_") }.sorted())
        }
        guard let base = try? resolve(Array(parts.dropLast())) else { return .none }
        let names = DirObject.attributes(of: base).filter { $0.hasPrefix(partial) }
        return Completion(replacing: partial.count, candidates: names.sorted())
    }

    /// The index of the quote that opens an unterminated string, if the cursor is inside one.
    private func openQuote(_ chars: [Character]) -> Int? {
        var open: (index: Int, quote: Character)?
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let current = open {
                if c == "\\" { i += 1 } else if c == current.quote { open = nil }
            } else if c == "'" || c == "\"" {
                open = (i, c)
            } else if c == "#" {
                return nil
            }
            i += 1
        }
        return open?.index
    }

    /// Names and attributes only: completion never calls anything.
    private func resolve(_ path: [String]) throws -> PythonValue {
        let run = Invocation(interpreter: interpreter, write: { _ in }, waitForInterrupt: { _ in true })
        var value = try interpreter.lookup(path[0])
        if case let .object(object) = value, object is PropertyObject { return .none }
        for name in path.dropFirst() {
            guard case let .object(object) = value, object.completesAttributes else { return .none }
            value = try Interpreter.attribute(value, name, run)
        }
        return value
    }

    /// Cached metric names starting with `prefix`, cut after the next path segment
    /// (`PROD.ap` → `PROD.apps.`) so each tab goes one level down.
    public func metricCandidates(_ prefix: String) -> [String] {
        var result = Set<String>()
        for name in metricNames() where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if let dot = rest.firstIndex(of: ".") {
                result.insert(prefix + rest[...dot])
            } else {
                result.insert(name)
            }
            if result.count > 1000 { break }
        }
        return result.sorted()
    }
}
