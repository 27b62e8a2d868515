import Foundation
import XCTest

/// `stoker serve` (also what plain `stoker` runs): starts its listeners, says where, creates
/// the data directory, and exits 0 after draining on SIGINT or SIGTERM. Ports are chosen free
/// at run time; the full protocol behaviour is tested in Tests/Integration.
final class ServeCLITests: XCTestCase {
    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private func writeConfig(_ box: Sandbox, extra: String = "") throws -> [Int] {
        let ports = try (0..<6).map { _ in try freePort() }
        try box.write("stoker.conf", Data("""
        [cache]
        LINE_RECEIVER_INTERFACE = 127.0.0.1
        LINE_RECEIVER_PORT = \(ports[0])
        PICKLE_RECEIVER_INTERFACE = 127.0.0.1
        PICKLE_RECEIVER_PORT = \(ports[1])
        CACHE_QUERY_INTERFACE = 127.0.0.1
        CACHE_QUERY_PORT = \(ports[2])
        \(extra)
        [statsd]
        address = 127.0.0.1
        port = \(ports[3])
        tcp_port = \(ports[3])
        mgmt_address = 127.0.0.1
        mgmt_port = \(ports[4])
        [api]
        port = \(ports[5])
        """.utf8))
        return ports
    }

    private func serve(_ arguments: [String], box: Sandbox, signal: Int32) throws -> CommandResult {
        let running = try CLI.start(try CLI.stokerPath(), arguments, in: box.url)
        defer { if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) } }
        XCTAssertTrue(running.waitForError(containing: "event=started", timeout: 30), "no startup line: \(running.result())")
        XCTAssertTrue(running.process.isRunning, "serve exited on its own: \(running.result())")
        kill(running.process.processIdentifier, signal)
        running.process.waitUntilExit()
        XCTAssertEqual(running.process.terminationReason, .exit, "killed by the signal instead of exiting")
        XCTAssertEqual(running.process.terminationStatus, 0, "\(running.result())")
        return running.result()
    }

    func testDefaultCommandListensOnConfiguredPortsAndExitsZeroOnSIGTERM() throws {
        let box = try Sandbox()
        let ports = try writeConfig(box)
        let result = try serve(["--config", "stoker.conf"], box: box, signal: SIGTERM)
        for (name, port) in zip(["plaintext", "pickle", "carbonlink"], ports) {
            XCTAssertTrue(result.stderr.contains("\(name)=127.0.0.1:\(port)"), "\(name) not in the startup line: \(result.stderr)")
        }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: box.path("storage/whisper"), isDirectory: &isDirectory))
        XCTAssertTrue(isDirectory.boolValue)
        XCTAssertTrue(result.stderr.contains("event=drain_done"), result.stderr)
    }

    func testServeWithInstanceExitsZeroOnSIGINT() throws {
        let box = try Sandbox()
        _ = try writeConfig(box)
        let result = try serve(["serve", "--config", "stoker.conf", "--instance", "b"], box: box, signal: SIGINT)
        XCTAssertTrue(result.stderr.contains("instance=b"), result.stderr)
    }

    func testInvalidValueStopsStartupNamingKeyAndValue() throws {
        let box = try Sandbox()
        _ = try writeConfig(box, extra: "MAX_CACHE_SIZE = lots")
        let result = try CLI.run(try CLI.stokerPath(), ["serve", "--config", "stoker.conf"], in: box.url)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("MAX_CACHE_SIZE = lots"), result.stderr)
    }

    func testUnknownKeyIsWarnedAboutOnce() throws {
        let box = try Sandbox()
        _ = try writeConfig(box, extra: "NOT_A_CARBON_KEY = 1")
        let result = try serve(["--config", "stoker.conf"], box: box, signal: SIGTERM)
        XCTAssertEqual(result.stderr.components(separatedBy: "unknown key NOT_A_CARBON_KEY").count - 1, 1, result.stderr)
    }

    func testMissingConfigFileIsAnError() throws {
        let box = try Sandbox()
        let result = try CLI.run(try CLI.stokerPath(), ["serve", "--config", "nope.conf"], in: box.url)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("nope.conf"), result.stderr)
    }
}
