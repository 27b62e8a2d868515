import Foundation
import XCTest

/// Runs Debian's python3-whisper (the reference implementation) for cross-checks.
enum PythonWhisper {
    static let interpreter = "/usr/bin/python3"

    /// Tests/Oracles, found from this file's location so any scratch path works.
    static let oraclesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Oracles")

    /// Fails the test (it does not skip): `make test` installs python3-whisper, so a missing
    /// module is a broken setup, not a reason to pass.
    static func requireAvailable() throws {
        let (status, _, stderr) = try run(["-c", "import whisper"])
        XCTAssertEqual(status, 0, "/usr/bin/python3 cannot import whisper (install python3-whisper): \(stderr)")
        if status != 0 { throw XCTSkip("python3-whisper missing") }
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
