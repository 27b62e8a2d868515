/// Splits one line of manhole input into tokens, Python's lexical rules for the subset the
/// language accepts: names, integers, floats, quoted strings with escapes, operators, `#`
/// comments.
public struct Tokenizer {
    public static let symbols2: Set<String> = ["==", "!=", "<=", ">=", "**", "//"]
    public static let symbols1: Set<Character> = ["(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "=", "+", "-", "*", "/", "%", "<", ">"]

    public static func tokenize(_ line: String) throws(PythonError) -> [Token] {
        let chars = Array(line)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\r" || c == "\n" {
                i += 1
                continue
            }
            if c == "#" { break }
            let start = i
            if c.isLetter || c == "_" {
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                tokens.append(Token(kind: .name(String(chars[start..<i])), column: start))
                continue
            }
            if c.isASCII && c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                tokens.append(try number(chars, &i))
                continue
            }
            if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try string(chars, &i)), column: start))
                continue
            }
            if i + 1 < chars.count, symbols2.contains(String(chars[i...i + 1])) {
                tokens.append(Token(kind: .symbol(String(chars[i...i + 1])), column: start))
                i += 2
                continue
            }
            if symbols1.contains(c) {
                tokens.append(Token(kind: .symbol(String(c)), column: start))
                i += 1
                continue
            }
            throw .syntax("invalid character \(PythonValue.repr(String(c)))", at: start)
        }
        tokens.append(Token(kind: .end, column: chars.count))
        return tokens
    }

    private static func number(_ chars: [Character], _ i: inout Int) throws(PythonError) -> Token {
        let start = i
        var isFloat = false
        func digits() { while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "_" { i += 1 } }
        digits()
        if i < chars.count, chars[i] == "." {
            isFloat = true
            i += 1
            digits()
        }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            if j < chars.count, chars[j].isASCII, chars[j].isNumber {
                isFloat = true
                i = j
                digits()
            }
        }
        if i < chars.count, chars[i].isLetter || chars[i] == "_" {
            throw .syntax("invalid decimal literal", at: start)
        }
        let text = String(chars[start..<i].filter { $0 != "_" })
        if !isFloat, let value = Int(text) { return Token(kind: .int(value), column: start) }
        guard let value = Double(text) else { throw .syntax("invalid decimal literal", at: start) }
        return Token(kind: .float(value), column: start)
    }

    private static func string(_ chars: [Character], _ i: inout Int) throws(PythonError) -> String {
        let start = i
        let quote = chars[i]
        i += 1
        var out = ""
        while i < chars.count {
            let c = chars[i]
            if c == quote {
                i += 1
                return out
            }
            if c == "\\", i + 1 < chars.count {
                let next = chars[i + 1]
                i += 2
                switch next {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "\\", "'", "\"": out.append(next)
                default: out.append("\\"); out.append(next)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw .syntax("unterminated string literal (detected at line 1)", at: start)
    }
}
