import CarbonCache
import CarbonConfig
import CarbonWriter
import Pickle

/// One line of carbon's plaintext protocol, `name value timestamp`, split as Python's
/// `str.split()` does (runs of whitespace, including `\t`, `\r`, `\v`, `\f` and Unicode spaces).
public struct PlaintextLine: Equatable, Sendable {
    public var name: String
    public var value: Double
    public var timestamp: Double

    /// Why a line was refused; each is counted and logged with the line.
    public enum Problem: String, Error, Sendable {
        case invalidUTF8 = "invalid_utf8"
        case fieldCount = "field_count"
        case invalidValue = "invalid_value"
        case invalidTimestamp = "invalid_timestamp"
    }

    /// Parses a line without its `\n` (a trailing `\r` is whitespace like any other).
    public static func parse(_ line: UnsafeRawBufferPointer) -> Result<PlaintextLine, Problem> {
        switch parseASCII(line) {
        case nil:
            return parseUnicode(line)
        case let .failure(problem)?:
            return .failure(problem)
        case let .success(fields)?:
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[fields.name]), as: UTF8.self)
            return .success(PlaintextLine(name: name, value: fields.value, timestamp: fields.timestamp))
        }
    }

    /// A parsed ASCII line whose name is still a byte range of the line.
    struct Fields {
        var name: Range<Int>
        var value: Double
        var timestamp: Double
    }

    /// Parses an all-ASCII line without allocating; nil when the line has other bytes (then
    /// `parse` splits it at Unicode whitespace as Python does).
    static func parseASCII(_ line: UnsafeRawBufferPointer) -> Result<Fields, Problem>? {
        // Up to three fields; a fourth is an error.
        var fields = (0..<0, 0..<0, 0..<0)
        var found = 0
        var i = 0
        let count = line.count
        while i < count {
            while i < count && isASCIIWhitespace(line[i]) { i += 1 }
            if i == count { break }
            let start = i
            while i < count && !isASCIIWhitespace(line[i]) {
                if line[i] >= 0x80 { return nil }
                i += 1
            }
            switch found {
            case 0: fields.0 = start..<i
            case 1: fields.1 = start..<i
            case 2: fields.2 = start..<i
            default:
                for byte in line[i...] where byte >= 0x80 { return nil }
                return .failure(.fieldCount)
            }
            found += 1
        }
        guard found == 3 else { return .failure(.fieldCount) }
        guard let value = PythonFloatSyntax.parse(UnsafeRawBufferPointer(rebasing: line[fields.1])) else {
            return .failure(.invalidValue)
        }
        guard let timestamp = PythonFloatSyntax.parse(UnsafeRawBufferPointer(rebasing: line[fields.2])) else {
            return .failure(.invalidTimestamp)
        }
        return .success(Fields(name: fields.0, value: value, timestamp: timestamp))
    }

    private static func parseUnicode(_ line: UnsafeRawBufferPointer) -> Result<PlaintextLine, Problem> {
        guard let text = String(validating: line, as: UTF8.self) else { return .failure(.invalidUTF8) }
        let fields = text.split(whereSeparator: { $0.isWhitespace })
        guard fields.count == 3 else { return .failure(.fieldCount) }
        guard let value = PythonFloatSyntax.parse(String(fields[1])) else { return .failure(.invalidValue) }
        guard let timestamp = PythonFloatSyntax.parse(String(fields[2])) else { return .failure(.invalidTimestamp) }
        return .success(PlaintextLine(name: String(fields[0]), value: value, timestamp: timestamp))
    }

    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0d) || (byte >= 0x1c && byte <= 0x1f)
    }
}
