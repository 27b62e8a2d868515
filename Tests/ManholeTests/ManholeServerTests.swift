import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Logging
import XCTest
@testable import Manhole
@testable import ManholeLanguage
import Glibc

/// The server's own duties: host keys, limits, timeouts, stop; and the settings checks.
final class ManholeServerTests: XCTestCase {
    /// A TCP connection that never speaks SSH.
    private func rawConnect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw ManholeError("connect failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Reads until the server closes the connection; false on timeout.
    private func readsUntilClosed(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return true }
            if n < 0 { return false }
        }
    }

    private func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    func testHostKeyIsGeneratedWithMode0600AndReusedOnRestart() throws {
        let fixture = try ManholeFixture()
        defer { fixture.tearDown() }
        let keyPath = fixture.directory.appendingPathComponent("hostkeys/ssh_host_ed25519_key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let listed = try SSHClient.execute("/usr/bin/ssh-keygen", ["-l", "-f", keyPath + ".pub"])
        let fingerprint = try XCTUnwrap(fixture.server.hostKeyFingerprints.first)
        XCTAssertTrue(listed.stdout.contains(fingerprint), "\(listed.stdout) vs \(fingerprint)")

        var settings = fixture.server.settings
        settings.port = 0
        let again = ManholeServer(settings: settings, context: fixture.server.context, logger: Logger(label: "again"))
        try again.start()
        defer { again.stop() }
        XCTAssertEqual(again.hostKeyFingerprints, [fingerprint])
    }

    func testCarbonsPEMRSAHostKeyIsLoadedBesideTheGeneratedOne() throws {
        let fixture = try ManholeFixture()
        defer { fixture.tearDown() }
        let directory = fixture.directory.appendingPathComponent("carbon-hostkeys")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try ClientKeys.keygen(in: directory, name: "ssh_host_rsa_key", type: ["-t", "rsa", "-b", "2048", "-m", "PEM"])
        var settings = fixture.server.settings
        settings.hostKeyDirectory = directory.path
        let server = ManholeServer(settings: settings, context: fixture.server.context, logger: Logger(label: "rsa-host"))
        let port = try server.start()
        defer { server.stop() }
        XCTAssertEqual(server.hostKeyFingerprints.count, 2)
        let client = SSHClient(port: port, identity: fixture.keys.ed25519Key, user: fixture.user)
        let result = try client.run(["-o", "HostKeyAlgorithms=rsa-sha2-512"], command: "1")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "1\n")
    }

    func testConnectionLimitAndLoginTimeout() throws {
        let fixture = try ManholeFixture { settings in
            settings.maxConnections = 1
            settings.loginTimeout = 1
        }
        defer { fixture.tearDown() }
        let silent = try rawConnect(port: fixture.port)
        defer { close(silent) }
        XCTAssertTrue(waitUntil { fixture.server.connectionCount == 1 })
        let refused = try fixture.client().run(command: "1")
        XCTAssertEqual(refused.status, 255, "the only slot is taken")
        XCTAssertTrue(readsUntilClosed(silent), "MANHOLE_LOGIN_TIMEOUT closes a connection that never authenticates")
        XCTAssertTrue(waitUntil { fixture.server.connectionCount == 0 })
        let accepted = try fixture.client().run(command: "1")
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(accepted.stdout, "1\n")
    }

    func testIdleSessionIsClosed() throws {
        let fixture = try ManholeFixture { $0.idleTimeout = 1 }
        defer { fixture.tearDown() }
        let client = fixture.client()
        // stdin stays open (sleep) but nothing is typed: the server ends the session. A fixed 4 s:
        // past the 1 s idle timeout and the 3.5 s bound below, so only the server can end it in time.
        let command = "sleep 4 | { /usr/bin/ssh -tt -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            + "-o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none -o LogLevel=ERROR "
            + "-i \(client.identity) -p \(client.port) \(client.user)@127.0.0.1; echo \"ENDED $(date +%s.%N)\" >&2; }"
        let began = Date().timeIntervalSince1970
        let result = try SSHClient.execute("/bin/sh", ["-c", command], timeout: 20)
        XCTAssertTrue(result.stdout.contains("idle timeout, bye"), result.stdout.debugDescription)
        let ended = try XCTUnwrap(result.stderr.components(separatedBy: "ENDED ").last.flatMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        })
        XCTAssertLessThan(ended - began, 3.5, "closed by the server, not by the end of stdin")
    }

    func testStopClosesConnectionsAndTheListener() throws {
        let fixture = try ManholeFixture()
        defer { fixture.tearDown() }
        let pending = try rawConnect(port: fixture.port)
        defer { close(pending) }
        XCTAssertTrue(waitUntil { fixture.server.connectionCount == 1 })
        fixture.server.stop()
        XCTAssertTrue(readsUntilClosed(pending))
        XCTAssertEqual(fixture.server.connectionCount, 0)
        XCTAssertThrowsError(try rawConnect(port: fixture.port), "nothing listens after stop()")
    }

    // MARK: settings

    func testEnablingWithoutAnyKeyIsAnError() {
        XCTAssertThrowsError(try ManholeSettings.from(values: ["enable_manhole": "True", "manhole_user": "admin"],
                                                      fileName: "carbon.conf", storageDirectory: "/tmp")) { error in
            XCTAssertTrue("\(error)".contains("no passwordless login"), "\(error)")
        }
        XCTAssertThrowsError(try ManholeSettings.from(values: ["enable_manhole": "True", "manhole_user": "admin",
                                                               "manhole_public_key": "None"],
                                                      fileName: "carbon.conf", storageDirectory: "/tmp"))
        let disabled = try? ManholeSettings.from(values: [:], fileName: "carbon.conf", storageDirectory: "/var/lib/stoker")
        XCTAssertEqual(disabled?.enabled, false)
        XCTAssertEqual(disabled?.port, 7222)
        XCTAssertEqual(disabled?.interface, "127.0.0.1")
        XCTAssertEqual(disabled?.hostKeyDirectory, "/var/lib/stoker/manhole")
    }

    func testShortRSAKeysAndMalformedLinesAreRefused() throws {
        let keys = try ClientKeys.shared.get()
        let directory = keys.directory.appendingPathComponent("short-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let short = try ClientKeys.keygen(in: directory, name: "id_rsa1024", type: ["-t", "rsa", "-b", "1024"])
        let line = try keys.publicLine(short)
        XCTAssertThrowsError(try ManholeSettings.from(values: ["enable_manhole": "True", "manhole_user": "admin",
                                                               "manhole_public_key": line],
                                                      fileName: "carbon.conf", storageDirectory: "/tmp")) { error in
            XCTAssertTrue("\(error)".contains("1024 bits"), "\(error)")
        }
        let allowed = try ManholeSettings.from(values: ["enable_manhole": "True", "manhole_user": "admin",
                                                        "manhole_public_key": line, "manhole_rsa_min_size": "1024"],
                                               fileName: "carbon.conf", storageDirectory: "/tmp")
        XCTAssertEqual(allowed.rsaMinimumBits, 1024)
        XCTAssertEqual(try AuthorizedKey(line: keys.publicLine(keys.rsaKey), minimumRSABits: 2048).rsaBits, 3072)
        XCTAssertThrowsError(try AuthorizedKey(line: "ssh-ed25519 notbase64!", minimumRSABits: 2048))
        XCTAssertThrowsError(try AuthorizedKey(line: "ssh-dss AAAAB3NzaC1kc3M= old", minimumRSABits: 2048))
    }
}
