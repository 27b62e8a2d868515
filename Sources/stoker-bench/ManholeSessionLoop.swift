import Glibc
import Foundation
import Synchronization

/// One persistent manhole session (`ssh -T`, commands on its standard input) running a command
/// over and over from a thread of its own: after each command a string literal marker is
/// sent, and its echo ends the answer, so each call is timed without a new connection.
final class ManholeSessionLoop: Sendable {
    struct Totals {
        var calls = 0
        var seconds = 0.0
        var outputBytes = 0
        var failure: String?
    }

    static let marker = "stoker-bench:end-of-answer"

    let command: String
    let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let stopping = Atomic<Bool>(false)
    private let totals = Mutex(Totals())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `ssh -T` into the manhole and the thread that drives it.
    init(ssh: ManholeSSH, command: String) throws {
        self.command = command
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw BenchFailure("pipe failed (errno \(errno))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = (["ssh", "-T"] + ssh.options + [ssh.destination]).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawnp(&pid, "ssh", &actions, nil, args.baseAddress!, environ)
        }
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw BenchFailure("cannot run ssh: \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        input = toChild[1]
        output = fromChild[0]
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "stoker-bench-manhole-session"
        thread.start()
    }

    var snapshot: Totals { totals.withLock { $0 } }

    private func run() {
        let request = Array("\(command)\n'\(Self.marker)'\n".utf8)
        let end = Array("'\(Self.marker)'\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // The end of the previous read, so a marker split across two reads is still found.
        var tail: [UInt8] = []
        while !stopping.load(ordering: .relaxed) {
            let begin = MonotonicClock.now()
            guard request.withUnsafeBytes({ write(input, $0.baseAddress, $0.count) }) == request.count else {
                totals.withLock { $0.failure = "write to ssh failed (errno \(errno))" }
                return
            }
            var bytes = 0
            while true {
                let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    totals.withLock { $0.failure = "the session ended after \(bytes) bytes of an answer" }
                    return
                }
                bytes += n
                tail = Array((tail + chunk[max(0, n - end.count)..<n]).suffix(end.count))
                if tail.elementsEqual(end) { break }
            }
            let seconds = MonotonicClock.now() - begin
            totals.withLock {
                $0.calls += 1
                $0.seconds += seconds
                $0.outputBytes += bytes - end.count
            }
        }
    }

    /// Lets the current call finish, ends the session (EOF on its input) and reaps ssh.
    /// Returns the totals; a session that failed throws.
    func stop() throws -> Totals {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        close(input)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeMutableBytes({ read(output, $0.baseAddress, $0.count) }) > 0 {}
        close(output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let result = snapshot
        if let failure = result.failure { throw BenchFailure("manhole session `\(command)`: \(failure)") }
        return result
    }
}
