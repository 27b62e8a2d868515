import ArgumentParser
import Whisper

/// A refusal by the command line itself (bad argument text, missing file, ...), reported
/// like whisper's own exceptions.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body; a `WhisperError` or `CommandFailure` becomes `[ERROR] <description>`
/// on stderr and exit status 1, as the whisper-* scripts do with `SystemExit('[ERROR] ...')`.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as WhisperError {
        Console.err("[ERROR] \(error.description)\n")
        throw ExitCode.failure
    } catch let error as CommandFailure {
        Console.err("[ERROR] \(error.description)\n")
        throw ExitCode.failure
    }
}
