/// What a running statement can reach besides the live objects: its session, the output
/// stream (for commands that stream, such as `watch`) and the operator's Ctrl-C.
public struct Invocation {
    /// The session running the statement (for `dir()` and `exit()`).
    unowned let interpreter: Interpreter
    /// Writes text to the operator now (`\n` line ends; the terminal layer translates).
    public var write: (String) -> Void
    /// Waits up to that many seconds for the operator to interrupt (Ctrl-C, or the client
    /// going away); true when interrupted.
    public var waitForInterrupt: (Double) -> Bool
}
