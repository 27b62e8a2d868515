import ManholeLanguage
/// One manhole session, independent of SSH: bytes from the client in, text to the client out.
///
/// * `.terminal` (a pty was requested): the `>>> ` prompt, echo and line editing, `\r\n` line
///   ends, errors on the same stream; Ctrl-D on an empty line or `exit()` ends it.
/// * `.script` (a shell without a pty, e.g. `ssh -T host < file`, and exec commands): each
///   complete line runs as it arrives, no prompt or echo, errors on stderr; the exit status is
///   1 if any statement failed.
final class ShellSession {
    enum Mode { case terminal, script }

    let mode: Mode
    let interpreter: Interpreter
    private var editor = LineEditor()
    private var decoder = KeyDecoder()
    private var scriptBuffer: [UInt8] = []
    private(set) var finished = false
    private(set) var failures = 0
    /// What a string literal completes to: the live cache's metric names.
    private let metricNames: () -> [String]

    static let banner = "Stoker manhole. help() lists the commands; Ctrl-D or exit() leaves.\n"

    init(context: ManholeContext, mode: Mode) {
        self.mode = mode
        interpreter = Interpreter(context: context)
        let cache = context.cache
        metricNames = { cache.metricNames() }
    }

    var exitStatus: Int32 { failures > 0 ? 1 : 0 }

    /// What to send when the session opens.
    func start(_ io: ShellIO) {
        if mode == .terminal { io.write(Self.crlf(Self.banner) + editor.prompt) }
    }

    /// Bytes the client typed or piped.
    func receive(_ bytes: [UInt8], _ io: ShellIO) {
        guard !finished else { return }
        switch mode {
        case .script:
            scriptBuffer.append(contentsOf: bytes)
            while !finished, let newline = scriptBuffer.firstIndex(of: 0x0a) {
                var line = Array(scriptBuffer[..<newline])
                scriptBuffer.removeFirst(newline + 1)
                if line.last == 0x0d { line.removeLast() }
                runScriptLine(String(decoding: line, as: UTF8.self), io)
            }
        case .terminal:
            let completer = Completer(interpreter: interpreter, metricNames: metricNames)
            for key in decoder.decode(bytes) {
                guard !finished else { return }
                let (output, event) = editor.handle(key, completer: completer.complete)
                if !output.isEmpty { io.write(output) }
                switch event {
                case let .line(line)?:
                    if !line.allSatisfy({ $0 == " " }) { runTerminalLine(line, io) }
                    if !finished { io.write(editor.prompt) }
                case .interrupt?:
                    io.write(editor.prompt)
                case .endOfInput?:
                    finished = true
                case nil:
                    break
                }
            }
        }
    }

    /// The client sent EOF: a script's last unterminated line still runs.
    func endOfInput(_ io: ShellIO) {
        guard !finished else { return }
        if mode == .script, !scriptBuffer.isEmpty {
            let line = String(decoding: scriptBuffer, as: UTF8.self)
            scriptBuffer.removeAll()
            runScriptLine(line.hasSuffix("\r") ? String(line.dropLast()) : line, io)
        }
        finished = true
    }

    /// Runs an exec request's command (one or more lines) to the end.
    func runCommand(_ command: String, _ io: ShellIO) {
        receive(Array(command.utf8) + [0x0a], io)
        endOfInput(io)
    }

    private func runScriptLine(_ line: String, _ io: ShellIO) {
        guard !line.allSatisfy({ $0 == " " || $0 == "\t" }) else { return }
        let outcome = interpreter.run(line, write: io.write, writeError: io.writeError, waitForInterrupt: io.waitForInterrupt)
        if outcome == .failed { failures += 1 }
        if outcome == .exit { finished = true }
    }

    private func runTerminalLine(_ line: String, _ io: ShellIO) {
        let write: (String) -> Void = { io.write(Self.crlf($0)) }
        let outcome = interpreter.run(line, write: write, writeError: { io.writeError(Self.crlf($0)) },
                                      waitForInterrupt: io.waitForInterrupt)
        if outcome == .exit { finished = true }
    }

    /// `\n` → `\r\n` for a terminal, leaving existing `\r\n` alone.
    static func crlf(_ text: String) -> String {
        guard text.utf8.contains(0x0a) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0a && previous != 0x0d { out.append(0x0d) }
            out.append(byte)
            previous = byte
        }
        return String(decoding: out, as: UTF8.self)
    }
}
