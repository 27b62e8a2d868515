import ManholeLanguage
import CLibSSH
import ServerRuntime

/// One SSH session channel of a connection: a pty shell, a shell without a pty (statements
/// piped on stdin) or an exec command, driven by a ShellSession. libssh's callbacks only
/// record requests and buffer input; `pump()`, called from the connection's loop, runs the
/// statements and writes the output.
final class ManholeChannel: ShellIO {
    enum Request {
        case shell
        case exec(String)
    }

    let channel: ssh_channel
    unowned let connection: ManholeConnection
    let context: ManholeContext
    private let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    private var pty = false
    private var request: Request?
    private var shell: ShellSession?
    /// Bytes received and not yet given to the shell.
    private var input: [UInt8] = []
    private var inputEnded = false
    private var peerClosed = false
    /// We sent exit-status, EOF and close.
    private var finished = false
    /// A write failed (client gone or stopped reading past the timeout).
    private var broken = false

    init(channel: ssh_channel, connection: ManholeConnection, context: ManholeContext) {
        self.channel = channel
        self.connection = connection
        self.context = context
        callbacks = .allocate(capacity: 1)
        stoker_ssh_channel_callbacks_init(callbacks)
        callbacks.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
        callbacks.pointee.channel_data_function = { _, _, data, length, _, userdata in
            let channel = ManholeChannel.from(userdata)
            if let data, length > 0 {
                channel.input.append(contentsOf: UnsafeRawBufferPointer(start: data, count: Int(length)))
            }
            channel.connection.touch()
            return Int32(bitPattern: length)
        }
        callbacks.pointee.channel_eof_function = { _, _, userdata in
            ManholeChannel.from(userdata).inputEnded = true
        }
        callbacks.pointee.channel_close_function = { _, _, userdata in
            let channel = ManholeChannel.from(userdata)
            channel.peerClosed = true
            channel.inputEnded = true
        }
        callbacks.pointee.channel_pty_request_function = { _, _, _, _, _, _, _, userdata in
            let channel = ManholeChannel.from(userdata)
            guard channel.request == nil else { return -1 }
            channel.pty = true
            return 0
        }
        callbacks.pointee.channel_pty_window_change_function = { _, _, _, _, _, _, _ in 0 }
        callbacks.pointee.channel_shell_request_function = { _, _, userdata in
            let channel = ManholeChannel.from(userdata)
            guard channel.request == nil else { return -1 }
            channel.request = .shell
            return 0
        }
        callbacks.pointee.channel_exec_request_function = { _, _, command, userdata in
            let channel = ManholeChannel.from(userdata)
            guard channel.request == nil else { return -1 }
            channel.request = .exec(command.map { String(cString: $0) } ?? "")
            return 0
        }
        ssh_set_channel_callbacks(channel, callbacks)
    }

    deinit {
        callbacks.deallocate()
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> ManholeChannel {
        Unmanaged<ManholeChannel>.fromOpaque(userdata!).takeUnretainedValue()
    }

    /// Acts on what the callbacks recorded: starts the shell or runs the exec command, feeds
    /// input, ends the channel when the shell is done or the client closed it.
    func pump() {
        guard !finished else { return }
        if peerClosed || broken {
            finish(status: nil)
            return
        }
        guard let request else { return }
        if shell == nil {
            switch request {
            case let .exec(command):
                let session = ShellSession(context: context, mode: .script)
                shell = session
                session.runCommand(command, self)
                finish(status: session.exitStatus)
                return
            case .shell:
                let session = ShellSession(context: context, mode: pty ? .terminal : .script)
                shell = session
                session.start(self)
            }
        }
        guard let shell else { return }
        // One line at a time: a Ctrl-C typed ahead stays in `input`, where a running
        // statement's waitForInterrupt finds it.
        while !input.isEmpty, !shell.finished {
            var end = input.firstIndex { $0 == 0x0d || $0 == 0x0a }.map { $0 + 1 } ?? input.count
            if end < input.count, input[end - 1] == 0x0d, input[end] == 0x0a { end += 1 }
            let bytes = Array(input[..<end])
            input.removeFirst(end)
            shell.receive(bytes, self)
        }
        if inputEnded, input.isEmpty, !shell.finished { shell.endOfInput(self) }
        if shell.finished { finish(status: shell.exitStatus) }
    }

    /// Sends the exit status (when the client is still there), EOF and close.
    private func finish(status: Int32?) {
        finished = true
        if let status, !peerClosed, !broken {
            ssh_channel_request_send_exit_status(channel, status)
            ssh_channel_send_eof(channel)
        }
        if ssh_channel_is_closed(channel) == 0 { ssh_channel_close(channel) }
    }

    /// True once both sides closed: the channel is freed (libssh will call no callback of it
    /// again) and the connection may drop this object.
    func releaseIfClosed() -> Bool {
        guard finished, peerClosed else { return false }
        ssh_channel_free(channel)
        return true
    }

    // MARK: ShellIO

    func write(_ text: String) {
        send(pty ? ShellSession.crlf(text) : text, stderr: false)
    }

    func writeError(_ text: String) {
        // A terminal has one stream; without a pty, errors go to stderr.
        if pty {
            send(ShellSession.crlf(text), stderr: false)
        } else {
            send(text, stderr: true)
        }
    }

    func waitForInterrupt(_ seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while true {
            if peerClosed || broken { return true }
            if pty, let index = input.firstIndex(of: 0x03) {
                // Ctrl-C: it and what was typed before it are consumed.
                input.removeFirst(index + 1)
                return true
            }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return false }
            let milliseconds = Int32(min(remaining, 0.1) * 1000) + 1
            if !connection.pollOnce(milliseconds: milliseconds) { return true }
        }
    }

    private func send(_ text: String, stderr: Bool) {
        guard !broken, !peerClosed, !text.isEmpty else { return }
        var bytes = Array(text.utf8)
        var offset = 0
        // Blocking writes, each bounded by the session's SSH_OPTIONS_TIMEOUT.
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 32 * 1024)
            let written = bytes.withUnsafeMutableBytes { raw in
                let start = raw.baseAddress! + offset
                return stderr
                    ? ssh_channel_write_stderr(channel, start, UInt32(chunk))
                    : ssh_channel_write(channel, start, UInt32(chunk))
            }
            guard written > 0 else {
                broken = true
                return
            }
            offset += Int(written)
        }
    }
}
