/// `exit()` and `quit()`: end the session (a no-op in exec mode, which ends by itself).
final class ExitObject: ManholeObject {
    var typeName: String { "Quitter" }
    var repr: String { "Use exit() or Ctrl-D (i.e. EOF) to exit" }

    func call(_ arguments: Arguments, _ run: Invocation) throws -> PythonValue {
        run.interpreter.requestExit()
        return .none
    }
}
