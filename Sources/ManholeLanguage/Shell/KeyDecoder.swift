/// Turns terminal input bytes into keys. Escape sequences and UTF-8 characters may arrive
/// split across SSH packets: an incomplete tail is kept until the next bytes come.
public struct KeyDecoder {
    private var pending: [UInt8] = []
    /// The last byte was CR: a following LF belongs to the same Enter.
    private var afterCR = false

    public init() {}

    public mutating func decode<S: Sequence<UInt8>>(_ bytes: S) -> [TerminalKey] {
        pending.append(contentsOf: bytes)
        var keys: [TerminalKey] = []
        var text: [UInt8] = []
        var i = 0
        func flushText() {
            if !text.isEmpty {
                keys.append(.text(String(decoding: text, as: UTF8.self)))
                text.removeAll()
            }
        }
        loop: while i < pending.count {
            let byte = pending[i]
            let wasCR = afterCR
            afterCR = false
            switch byte {
            case 0x1b:
                guard let (key, length) = escape(at: i) else { break loop }
                flushText()
                if let key { keys.append(key) }
                i += length
                continue
            case 0x0d:
                flushText()
                keys.append(.enter)
                afterCR = true
            case 0x0a:
                if !wasCR {
                    flushText()
                    keys.append(.enter)
                }
            case 0x01: flushText(); keys.append(.home)
            case 0x02: flushText(); keys.append(.left)
            case 0x03: flushText(); keys.append(.interrupt)
            case 0x04: flushText(); keys.append(.endOfInput)
            case 0x05: flushText(); keys.append(.end)
            case 0x06: flushText(); keys.append(.right)
            case 0x08, 0x7f: flushText(); keys.append(.backspace)
            case 0x09: flushText(); keys.append(.tab)
            case 0x0b: flushText(); keys.append(.killToEnd)
            case 0x0c: flushText(); keys.append(.clearScreen)
            case 0x0e: flushText(); keys.append(.down)
            case 0x10: flushText(); keys.append(.up)
            case 0x15: flushText(); keys.append(.killToStart)
            case 0x17: flushText(); keys.append(.deleteWord)
            case 0x00..<0x20:
                break
            case 0x80...:
                let length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
                guard i + length <= pending.count else { break loop }
                text.append(contentsOf: pending[i..<i + length])
                i += length
                continue
            default:
                text.append(byte)
            }
            i += 1
        }
        flushText()
        pending.removeFirst(i)
        return keys
    }

    /// The key of the escape sequence at `start` (nil key: a sequence we ignore) and its
    /// length; nil when the sequence is not complete yet.
    private func escape(at start: Int) -> (TerminalKey?, Int)? {
        guard start + 1 < pending.count else { return nil }
        let kind = pending[start + 1]
        if kind == UInt8(ascii: "O") {
            guard start + 2 < pending.count else { return nil }
            return (finalKey(pending[start + 2], parameter: nil), 3)
        }
        guard kind == UInt8(ascii: "[") else {
            // Alt+key or a lone Escape: drop the ESC, keep the key.
            return (nil, 1)
        }
        var i = start + 2
        var parameter = 0
        var sawDigit = false
        var firstParameterDone = false
        while i < pending.count {
            let byte = pending[i]
            if byte >= 0x30 && byte <= 0x3f {
                // Parameter bytes: only the first number matters (`ESC [ 3 ~`, `ESC [ 1 ; 5 C`).
                if byte == UInt8(ascii: ";") { firstParameterDone = true }
                if byte <= 0x39, !firstParameterDone, parameter < 1000 {
                    parameter = parameter * 10 + Int(byte - 0x30)
                    sawDigit = true
                }
                i += 1
                continue
            }
            if byte >= 0x20 && byte <= 0x2f {
                i += 1
                continue
            }
            return (finalKey(byte, parameter: sawDigit ? parameter : nil), i - start + 1)
        }
        return nil
    }

    private func finalKey(_ byte: UInt8, parameter: Int?) -> TerminalKey? {
        switch byte {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch parameter {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            default: return nil
            }
        default: return nil
        }
    }
}
