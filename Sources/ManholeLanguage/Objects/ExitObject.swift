/// `exit()` and `quit()`: end the session (a no-op in exec mode, which ends by itself).
public final class ExitObject: ManholeObject {
    public var typeName: String { "Quitter" }
    public var repr: String { "Use exit() or Ctrl-D (i.e. EOF) to exit" }

    public init() {}

    public func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        run.interpreter.requestExit()
        return .none
    }
}
