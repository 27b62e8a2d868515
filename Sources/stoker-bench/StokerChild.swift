import Glibc
import Foundation

/// A real `stoker serve` run as a child process: the release binary next to this bench, its
/// standard output and error in a log file, its config written into a scratch directory. The
/// manhole and soak suites measure the whole process (SSH server, RSS), which the in-process
/// suites cannot.
final class StokerChild {
    let pid: pid_t
    let binary: String
    let logPath: String
    private var exitStatus: Int32?

    /// `stoker` in the directory of this executable (`swift build --product stoker` with the same
    /// scratch path puts it there).
    static var defaultBinary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent + "/stoker"
    }

    /// Writes `directory/stoker.conf` from `[cache]` and `[statsd]` keys (in the given order)
    /// and `directory/storage-schemas.conf`; returns the config's path.
    static func writeConfig(in directory: String, cache: [(String, String)], statsd: [(String, String)], schemas: String) throws -> String {
        var text = "# written by stoker-bench\n[cache]\n"
        for (key, value) in cache { text += "\(key) = \(value)\n" }
        text += "\n[statsd]\n"
        for (key, value) in statsd { text += "\(key) = \(value)\n" }
        let path = directory + "/stoker.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try schemas.write(toFile: directory + "/storage-schemas.conf", atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `binary serve --config config` and waits for its `event=started` line (every
    /// listener is bound by then).
    static func start(binary: String, config: String, logPath: String, timeout: Double = 60) throws -> StokerChild {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchFailure("no stoker binary at \(binary): build it with `swift build -c release --scratch-path .build-bench --product stoker`, or pass --stoker PATH")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let arguments: [String] = [binary, "serve", "--config", config]
        let argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawn(&pid, binary, &actions, nil, args.baseAddress!, environ)
        }
        guard rc == 0 else { throw BenchFailure("cannot run \(binary): \(String(cString: strerror(rc)))") }
        let child = StokerChild(pid: pid, binary: binary, logPath: logPath)
        let deadline = MonotonicClock.now() + timeout
        while true {
            if child.log.contains("event=started") { return child }
            if child.hasExited {
                throw BenchFailure("stoker exited with \(child.exitStatus ?? -1) before starting:\n\(child.logTail())")
            }
            if MonotonicClock.now() > deadline {
                child.stop(timeout: 10)
                throw BenchFailure("stoker did not start within \(Int(timeout)) s:\n\(child.logTail())")
            }
            usleep(20_000)
        }
    }

    private init(pid: pid_t, binary: String, logPath: String) {
        self.pid = pid
        self.binary = binary
        self.logPath = logPath
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func logTail(lines: Int = 30) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// True once the child has exited (reaped here; the status is kept).
    var hasExited: Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return false }
        exitStatus = Self.exitCode(status)
        return true
    }

    /// A `/proc/PID/status` field in bytes (`VmRSS`, `VmHWM`), or 0 once the child is gone.
    func statusBytes(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return (Int(line.dropFirst(field.count + 1).filter(\.isNumber)) ?? 0) * 1024
        }
        return 0
    }

    var residentBytes: Int { statusBytes("VmRSS") }

    /// `/proc/PID/io`: bytes handed to write system calls (`wchar`) and bytes the process
    /// caused to be written to storage (`write_bytes`, counted when pages are dirtied); zeros
    /// once the child is gone.
    var writtenBytes: (system: Double, storage: Double) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return (0, 0) }
        var fields: [Substring: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2 { fields[parts[0]] = Double(parts[1].trimmingCharacters(in: .whitespaces)) }
        }
        return (fields["wchar"] ?? 0, fields["write_bytes"] ?? 0)
    }

    /// SIGTERM (a graceful stop: final statsd flush, cache drained to disk), then SIGKILL after
    /// `timeout` seconds. Returns the exit code (128 + signal when killed).
    @discardableResult
    func stop(timeout: Double = 300) -> Int32 {
        if hasExited { return exitStatus ?? -1 }
        kill(pid, SIGTERM)
        let deadline = MonotonicClock.now() + timeout
        while !hasExited {
            if MonotonicClock.now() > deadline {
                print("stoker (pid \(pid)) did not stop within \(Int(timeout)) s: SIGKILL")
                kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                exitStatus = Self.exitCode(status)
                break
            }
            usleep(50_000)
        }
        return exitStatus ?? -1
    }

    private static func exitCode(_ status: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS are macros: exit code in bits 8-15 when the low 7 bits are 0.
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
