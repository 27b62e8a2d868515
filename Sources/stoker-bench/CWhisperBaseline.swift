#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The syscall-level C baseline, `tools/whisper_bench.c`, compiled once per run and driven one
/// phase per invocation with `-q` (machine-readable `key=value` lines).
struct CWhisperBaseline {
    let binary: String

    /// Compiles `source` with `cc -O2 -Wall` into `directory/whisper_bench`.
    static func compile(source: String, into directory: String) throws -> CWhisperBaseline {
        guard FileManager.default.fileExists(atPath: source) else {
            throw BenchFailure("C baseline not found at \(source) (use --tools DIR)")
        }
        let binary = directory + "/whisper_bench"
        let status = try ChildProcess.run("cc", ["-O2", "-Wall", "-o", binary, source]).status
        guard status == 0 else { throw BenchFailure("cc failed (exit \(status)) compiling \(source)") }
        return CWhisperBaseline(binary: binary)
    }

    /// Zero-filled creates of `files` files under `directory` (the C tool's `create` phase).
    func create(directory: String, files: Int) throws -> CreateRate {
        let fields = try phase(["-D", directory, "-n", String(files), "-m", "create"], expecting: "create")
        guard let secs = Double(fields["secs"] ?? ""), let n = Int(fields["files"] ?? "") else {
            throw BenchFailure("whisper_bench create: unexpected output \(fields)")
        }
        return CreateRate(files: n, seconds: secs)
    }

    /// One update phase (`cache`, `cachewsp`, `open` or `openwsp`) over existing files.
    func update(mode: String, directory: String, files: Int, pointsPerUpdate k: Int, seconds: Double, cpu: Int?) throws -> UpdateRate {
        var arguments = ["-D", directory, "-n", String(files), "-k", String(k), "-t", String(seconds), "-m", mode]
        if let cpu { arguments += ["-c", String(cpu)] }
        let fields = try phase(arguments, expecting: mode)
        guard let updates = Int(fields["updates"] ?? ""), let secs = Double(fields["secs"] ?? "") else {
            throw BenchFailure("whisper_bench \(mode): unexpected output \(fields)")
        }
        return UpdateRate(updates: updates, seconds: secs, pointsPerUpdate: k)
    }

    private func phase(_ arguments: [String], expecting name: String) throws -> [String: String] {
        let result = try ChildProcess.run(binary, ["-q"] + arguments)
        guard result.status == 0 else {
            throw BenchFailure("\(binary) \(arguments.joined(separator: " ")) exited with \(result.status)")
        }
        for line in result.output.split(separator: "\n") where line.hasPrefix("phase=") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            if fields["phase"] == name { return fields }
        }
        throw BenchFailure("\(binary) printed no phase=\(name) line: \(result.output)")
    }
}

/// Runs a program to completion with posix_spawnp, capturing its standard output (standard
/// error passes through). Not Foundation's `Process`: that starts helper threads, and a
/// multi-threaded process pays for it in every file syscall (shared descriptor table:
/// reference-counted `fdget`), which would tax the Stoker side of the measurements.
enum ChildProcess {
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if n > 0 { output += chunk[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros: exit code in bits 8-15 when the low 7 bits are 0.
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, String(decoding: output, as: UTF8.self))
    }
}

/// A benchmark that cannot go on; the message says why.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
