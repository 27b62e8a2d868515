import Foundation
import XCTest

/// Runs Debian's python3-whisper (the reference implementation) for cross-checks.
enum PythonWhisper {
    static let interpreter = "/usr/bin/python3"

    /// Tests/Oracles, found from this file's location so any scratch path works.
    static let oraclesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Oracles")

    /// Fails the test under `make test` and in CI, skips it otherwise (`missingReference`).
    static func requireAvailable() throws {
        let (status, _, stderr) = try run(["-c", "import whisper"])
        if status != 0 {
            throw missingReference("\(interpreter) cannot import whisper (apt-get install python3-whisper; `make test` does it): \(stderr)")
        }
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and stall both sides.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Runs a Python snippet with `whisper` imported; returns stdout.
    static func script(_ source: String) throws -> String {
        let (status, stdout, stderr) = try run(["-c", "import whisper, json, struct, sys\n" + source])
        XCTAssertEqual(status, 0, stderr)
        return stdout
    }
}

/// The error to throw when a reference a cross-check compares against is missing. Under
/// `make test` (STOKER_REQUIRE_REFERENCES=1) or in CI (CI set) the packages are installed on
/// purpose, so a missing one is a broken setup and fails the test; only a developer running
/// `swift test` by hand without them gets a skip saying what to install.
/// (StokerCLITests' CLIHarness.swift has the same rule.)
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

/// A fresh temporary directory removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    // STOKER_KEEP_TEST_FILES keeps them for a post-mortem.
    if ProcessInfo.processInfo.environment["STOKER_KEEP_TEST_FILES"] == nil {
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    } else {
        print("test files kept in \(url.path)")
    }
    return url
}
