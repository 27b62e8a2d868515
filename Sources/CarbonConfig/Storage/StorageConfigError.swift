import Glibc

/// Why storage-schemas.conf or storage-aggregation.conf cannot be used. carbon aborts at startup
/// on each of these, so Stoker refuses the whole file too; every case names the file so the
/// operator can find the line (problems carbon only logs become `warnings`, not errors).
public enum StorageConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read (`errno` kept so a missing file can be told apart).
    case unreadable(file: String, errno: Int32)
    /// The bytes are not UTF-8 text.
    case notText(file: String)
    /// The INI structure itself is broken: a key outside any section, a line that is neither
    /// a section nor `key = value`, a duplicate section or a duplicate key in one section
    /// (Python's ConfigParser in its default strict mode refuses the last two).
    case syntax(file: String, line: Int, reason: String)
    /// A value carbon cannot use: a malformed retention, a regular expression that does not
    /// compile, an xFilesFactor outside [0, 1], an unknown aggregation method, a missing key.
    case invalidValue(file: String, section: String, key: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, code):
            return "\(file): cannot read: \(String(cString: strerror(code))) (errno \(code))"
        case let .notText(file):
            return "\(file): not UTF-8 text"
        case let .syntax(file, line, reason):
            return "\(file), line \(line): \(reason)"
        case let .invalidValue(file, section, key, value, reason):
            return "Invalid \(key) '\(value)' in section [\(section)] in \(file): \(reason)"
        }
    }
}
