/// The sections of an INI file in file order, read the way carbon reads its storage rules:
/// Python's `ConfigParser` (strict mode, no interpolation) plus carbon's own pass over the raw
/// `[name]` lines to keep their order, because the order is the match order.
///
/// Kept to what both storage files need: `key = value` and `key: value` (split at the first
/// `=` or `:`), keys lower-cased (ConfigParser's `optionxform`), values stripped, whole-line
/// comments starting with `#` or `;`, and ConfigParser's indented continuation lines (a
/// line indented deeper than its key's line continues that value, joined with a newline).
/// Interpolation (`%(name)s`) and the special `[DEFAULT]` section are not modelled.
struct OrderedINI: Sendable {
    /// One `[name]` section with its keys; `line` is where its header is, for messages.
    struct Section: Sendable, Equatable {
        var name: String
        var line: Int
        var values: [String: String]
    }

    var sections: [Section]

    /// Parses `text`; `fileName` only labels error messages.
    init(text: String, fileName: String) throws(StorageConfigError) {
        var sections: [Section] = []
        var seenNames: Set<String> = []
        // The key whose value may still grow by continuation lines, as value lines so far.
        var openKey: String?
        var openLines: [String] = []
        // Indentation of the line that opened the current key; a comment line resets it so
        // that an indented line after a comment starts afresh, as in ConfigParser.
        var keyIndent = Int.max

        func closeKey() {
            guard let key = openKey else { return }
            sections[sections.count - 1].values[key] = Self.joinedValue(openLines)
            openKey = nil
            openLines = []
        }

        for (index, rawLine) in Self.lines(of: text).enumerated() {
            let lineNumber = index + 1
            let scalars = Array(rawLine.unicodeScalars)
            let stripped = Self.stripped(Substring(rawLine))
            if stripped.hasPrefix("#") || stripped.hasPrefix(";") {
                keyIndent = Int.max
                continue
            }
            if stripped.isEmpty {
                // Blank lines belong to a value that continues after them; trailing ones are
                // dropped when the value is joined.
                if openKey != nil { openLines.append("") }
                continue
            }
            let indent = scalars.firstIndex { !$0.properties.isWhitespace } ?? 0
            if openKey != nil, indent > keyIndent {
                openLines.append(String(stripped))
                continue
            }
            keyIndent = indent
            if let name = Self.sectionName(stripped) {
                closeKey()
                guard seenNames.insert(name).inserted else {
                    throw .syntax(file: fileName, line: lineNumber, reason: "section '\(name)' already exists")
                }
                sections.append(Section(name: name, line: lineNumber, values: [:]))
                continue
            }
            guard !sections.isEmpty else {
                throw .syntax(file: fileName, line: lineNumber,
                              reason: "file contains no section headers: '\(stripped)'")
            }
            guard let delimiter = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw .syntax(file: fileName, line: lineNumber, reason: "not a section header or key = value: '\(stripped)'")
            }
            let key = Self.stripped(stripped[..<delimiter]).lowercased()
            guard !key.isEmpty else {
                throw .syntax(file: fileName, line: lineNumber, reason: "empty key: '\(stripped)'")
            }
            closeKey()
            guard sections[sections.count - 1].values[key] == nil else {
                throw .syntax(file: fileName, line: lineNumber,
                              reason: "key '\(key)' already exists in section '\(sections[sections.count - 1].name)'")
            }
            openKey = key
            openLines = [String(Self.stripped(stripped[stripped.index(after: delimiter)...]))]
        }
        closeKey()
        self.sections = sections
    }

    /// ConfigParser's header rule: `[` at the start, then everything up to the last `]`
    /// (at least one character); text after that `]` is ignored.
    private static func sectionName(_ line: Substring) -> String? {
        guard line.hasPrefix("["), let close = line.lastIndex(of: "]") else { return nil }
        let name = line[line.index(after: line.startIndex)..<close]
        return name.isEmpty ? nil : String(name)
    }

    /// Continuation lines joined by newlines, trailing blank lines dropped (Python rstrips).
    private static func joinedValue(_ lines: [String]) -> String {
        String(stripped(Substring(lines.joined(separator: "\n")), leading: false))
    }

    /// Python's universal newlines: `\n`, `\r\n` and `\r` all end a line. Works on scalars
    /// because `\r\n` is one Character and would not equal `\n`.
    private static func lines(of text: String) -> [String] {
        var result: [String] = []
        var current = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if afterCR {
                afterCR = false
                if scalar == "\n" { continue }
            }
            if scalar == "\n" || scalar == "\r" {
                result.append(String(current))
                current = String.UnicodeScalarView()
                afterCR = scalar == "\r"
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { result.append(String(current)) }
        return result
    }

    /// `str.strip()`: Unicode white space off both ends (or only the end).
    static func stripped(_ text: Substring, leading: Bool = true) -> Substring {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        if leading {
            while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return Substring(scalars[start..<end])
    }
}
