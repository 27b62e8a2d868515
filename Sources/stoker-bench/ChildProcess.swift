import Glibc
import Foundation

/// Runs programs with posix_spawnp, capturing their standard output (standard error passes
/// through). Not Foundation's `Process`: that starts helper threads, and a multi-threaded
/// process pays for it in every file syscall (shared descriptor table: reference-counted
/// `fdget`), which would tax the Stoker side of the measurements.
enum ChildProcess {
    /// A started child: its pid and the read end of its standard output.
    struct Running {
        let program: String
        let pid: pid_t
        fileprivate let output: Int32

        /// Reads the child's output to the end, then reaps it.
        func wait() -> (status: Int32, output: String) {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if n > 0 { bytes += chunk[0..<n] } else if n == 0 || errno != EINTR { break }
            }
            close(output)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS are macros: exit code in bits 8-15 when the low 7 bits are 0.
            let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return (exitCode, String(decoding: bytes, as: UTF8.self))
        }

        /// Ends this child (SIGTERM to its pid only) and reaps it.
        func terminate() {
            kill(pid, SIGTERM)
            _ = wait()
        }
    }

    /// Starts `program` without waiting for it.
    static func start(_ program: String, _ arguments: [String]) throws -> Running {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw BenchFailure("pipe failed (errno \(errno))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])

        let argv = ([program] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawnp(&pid, program, &actions, nil, args.baseAddress!, environ)
        }
        close(pipeEnds[1])
        guard rc == 0 else {
            close(pipeEnds[0])
            throw BenchFailure("cannot run \(program): \(String(cString: strerror(rc)))")
        }
        return Running(program: program, pid: pid, output: pipeEnds[0])
    }

    /// Runs `program` to completion.
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try start(program, arguments).wait()
    }

    /// The `key=value` fields of the first output line holding `key=`, as the C tools print
    /// with `-q`.
    static func fields(in output: String, lineWith key: String) -> [String: String]? {
        for line in output.split(separator: "\n") where line.contains(key + "=") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
        return nil
    }
}

/// The C tools of `../shared/tools`, compiled with `cc -O2 -Wall` into a temp directory.
enum CTool {
    /// Compiles `source` into `directory/NAME` (NAME: the source's base name without `.c`).
    static func compile(source: String, into directory: String) throws -> String {
        guard FileManager.default.fileExists(atPath: source) else {
            throw BenchFailure("C tool not found at \(source) (use --tools DIR)")
        }
        let name = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        let binary = directory + "/" + name
        let status = try ChildProcess.run("cc", ["-O2", "-Wall", "-o", binary, source]).status
        guard status == 0 else { throw BenchFailure("cc failed (exit \(status)) compiling \(source)") }
        return binary
    }
}
