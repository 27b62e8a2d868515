/// Where a shell session writes and how it learns about Ctrl-C while a statement runs. The
/// SSH channel implements it; tests use a recording one.
public protocol ShellIO: AnyObject {
    /// Standard output (already with the session's line ends).
    func write(_ text: String)
    /// Standard error; in a terminal session, the same stream as output.
    func writeError(_ text: String)
    /// Waits up to `seconds` for an interrupt (Ctrl-C typed, client gone): true if one came.
    func waitForInterrupt(_ seconds: Double) -> Bool
}
