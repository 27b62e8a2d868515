/// Why Stoker refuses to turn a metric name into a file path. carbon would write most of
/// these somewhere odd (`a//b` into `a/b.wsp`, `x/../../y` outside the data directory) or fail
/// at the system call; Stoker names the problem instead.
public enum MetricPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The empty string.
    case emptyName
    /// A NUL byte, which no file path can hold.
    case containsNUL(name: String)
    /// A name starting with `/`.
    case absolute(name: String)
    /// An empty path component: two dots in a row, a leading or trailing dot, `//`. This also
    /// covers `.` and `..`: every `.` becomes `/` (or `_DOT_` in readable tagged names), so
    /// `a/../b` arrives here as `a////b`; no component can ever be `.` or `..` itself.
    case emptyComponent(name: String)

    public var description: String {
        switch self {
        case .emptyName: return "empty metric name"
        case let .containsNUL(name): return "metric name \(name.debugDescription) contains a NUL byte"
        case let .absolute(name): return "metric name \(name.debugDescription) is an absolute path"
        case let .emptyComponent(name): return "metric name \(name.debugDescription) has an empty path component"
        }
    }
}
