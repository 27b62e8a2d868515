import Foundation
import XCTest

/// What a finished subprocess left behind.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `stoker` binary and Graphite's whisper-* scripts in throw-away directories.
enum CLI {
    static let python = "/usr/bin/python3"

    /// The `stoker` executable of this build. Looked for next to the test bundle (which is
    /// where SwiftPM puts every product of the same `--scratch-path`), then in any
    /// `.build*/debug` of the package; `STOKER_BINARY` overrides both.
    static func stokerPath() throws -> String {
        let fm = FileManager.default
        func executable(in directory: URL) -> String? {
            let candidate = directory.appendingPathComponent("stoker").path
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                  fm.isExecutableFile(atPath: candidate) else { return nil }
            return candidate
        }
        if let override = ProcessInfo.processInfo.environment["STOKER_BINARY"], !override.isEmpty {
            return override
        }
        var directories: [URL] = []
        for bundle in [Bundle.main] + Bundle.allBundles {
            directories.append(bundle.bundleURL)
            directories.append(bundle.bundleURL.deletingLastPathComponent())
            if let executable = bundle.executableURL { directories.append(executable.deletingLastPathComponent()) }
        }
        if let argument0 = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: argument0).deletingLastPathComponent())
        }
        for directory in directories {
            if let found = executable(in: directory.standardizedFileURL) { return found }
        }
        // Fallback: <package>/.build*/debug/stoker, the most recently built one.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let scratch = (try? fm.contentsOfDirectory(atPath: package.path)) ?? []
        let builds = scratch.filter { $0.hasPrefix(".build") }.compactMap { name in
            executable(in: package.appendingPathComponent(name).appendingPathComponent("debug"))
        }
        let newest = builds.max { modified($0) < modified($1) }
        guard let newest else {
            throw missingReference("cannot find the stoker executable near \(Bundle.main.bundlePath) or in \(package.path)/.build*/debug")
        }
        return newest
    }

    private static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// Fails (under `make test` and in CI) or skips the calling test unless Debian's python3 can
    /// import whisper (the reference).
    static func requireWhisperModule() throws {
        let probe = try run(python, ["-c", "import whisper"], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        if probe.status != 0 {
            throw missingReference("\(python) cannot import whisper (apt-get install python3-whisper; `make test` does it): \(probe.stderr)")
        }
    }

    static func stoker(_ arguments: [String], in directory: URL) throws -> CommandResult {
        try run(stokerPath(), arguments, in: directory)
    }

    /// Runs `/usr/bin/<tool>` (a whisper-* script) with Debian's python.
    static func reference(_ tool: String, _ arguments: [String], in directory: URL) throws -> CommandResult {
        try run(python, ["/usr/bin/\(tool)"] + arguments, in: directory)
    }

    /// Runs to completion with stdout and stderr captured in files (no pipe can fill up).
    static func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> CommandResult {
        let process = try start(executable, arguments, in: directory)
        process.process.waitUntilExit()
        return process.result()
    }

    static func start(_ executable: String, _ arguments: [String], in directory: URL) throws -> RunningCommand {
        let capture = directory.appendingPathComponent(".capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        let outURL = capture.appendingPathComponent("stdout"), errURL = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        return RunningCommand(process: process, stdoutURL: outURL, stderrURL: errURL)
    }
}

/// The error to throw when something a test compares against or runs is missing. Under
/// `make test` (STOKER_REQUIRE_REFERENCES=1) or in CI (CI set) a missing one is a broken setup
/// and fails the test; only a developer running `swift test` by hand without the packages gets
/// a skip saying what is missing. (WhisperTests' PythonWhisper.swift has the same rule.)
func missingReference(_ message: String,
                      environment: [String: String] = ProcessInfo.processInfo.environment) -> any Error {
    if environment["STOKER_REQUIRE_REFERENCES"] == "1" || !(environment["CI"] ?? "").isEmpty {
        return MissingReference(description: message)
    }
    return XCTSkip(message)
}

struct MissingReference: Error, CustomStringConvertible {
    var description: String
}

/// A subprocess still running, whose output can be read while it runs.
struct RunningCommand {
    let process: Process
    let stdoutURL: URL
    let stderrURL: URL

    var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    func result() -> CommandResult {
        CommandResult(
            status: process.terminationStatus,
            stdout: stdoutSoFar,
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }

    var stderrSoFar: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Polls (50 ms) until stderr (where the server logs) contains `text`; false after `timeout` seconds.
    func waitForError(containing text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderrSoFar.contains(text) { return true }
            if !process.isRunning { return stderrSoFar.contains(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

/// A fresh temporary directory per test.
final class Sandbox {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func bytes(_ name: String) throws -> Data { try Data(contentsOf: url.appendingPathComponent(name)) }

    func write(_ name: String, _ data: Data) throws { try data.write(to: url.appendingPathComponent(name)) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func copy(_ name: String, to other: String) throws {
        try FileManager.default.copyItem(atPath: path(name), toPath: path(other))
    }
}

/// Asserts success and returns stdout.
@discardableResult
func assertSuccess(_ result: CommandResult, _ what: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    XCTAssertEqual(result.status, 0, "\(what) failed: \(result)", file: file, line: line)
    return result.stdout
}

/// Asserts a clean failure: exit status 1, no crash trace.
func assertCleanFailure(_ result: CommandResult, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, 1, "\(what) should exit 1: \(result)", file: file, line: line)
    for marker in ["Fatal error", "Stack dump", "Current stack trace", "Traceback", "Crash"] {
        XCTAssertFalse(result.stderr.contains(marker), "\(what) crashed: \(result)", file: file, line: line)
    }
}

/// `now` aligned down to `step`, minus `back` seconds: a timestamp well inside retention.
func alignedPast(_ back: Int, step: Int = 60) -> Int {
    let now = Int(Date().timeIntervalSince1970)
    return now - now % step - back
}
