import Foundation
import XCTest

/// Runs the real OpenSSH client against the in-process manhole: batch mode, no agent, no user
/// config, no known-hosts file.
struct SSHClient {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    var port: Int
    var identity: String
    var user: String

    func run(_ extraOptions: [String] = [], command: String? = nil, stdin: String = "", timeout: Double = 20) throws -> Result {
        var arguments = [
            "-F", "/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10",
            "-i", identity, "-p", String(port),
        ]
        arguments += extraOptions
        arguments.append("\(user)@127.0.0.1")
        if let command { arguments.append(command) }
        return try Self.execute("/usr/bin/ssh", arguments, stdin: stdin, timeout: timeout)
    }

    /// Runs a program with `stdin` as its input; output goes through files (no pipe deadlock).
    static func execute(_ path: String, _ arguments: [String], stdin: String = "", timeout: Double = 20) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("manhole-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("stdin"), output = dir.appendingPathComponent("stdout"),
            errors = dir.appendingPathComponent("stderr")
        try Data(stdin.utf8).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                XCTFail("\(path) \(arguments.joined(separator: " ")) timed out")
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
