import Foundation
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

final class CarbonSettingsTests: XCTestCase {
    private func load(_ text: String, instance: String? = nil) throws -> (CarbonSettings, [String]) {
        let file = try ConfigFileSections(text: text, fileName: "stoker.conf")
        let result = try CarbonSettings.from(values: file.cacheSection(instance: instance), fileName: "stoker.conf", configDirectory: "/etc/stoker")
        return (result.settings, result.warnings)
    }

    func testDefaultsAreCarbonsPortsAndLocalStorage() throws {
        let (s, warnings) = try load("")
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(s.lineReceiver.port, 2003)
        XCTAssertEqual(s.pickleReceiver.port, 2004)
        XCTAssertEqual(s.cacheQuery.port, 7002)
        XCTAssertFalse(s.enableUDPListener)
        XCTAssertEqual(s.localDataDirectory, "storage/whisper")
        XCTAssertNil(s.maxCacheSize)
        XCTAssertEqual(s.minTimestampResolution, 1)
        XCTAssertEqual(s.writerSettings.allocation, .fallocate)
    }

    func testCarbonKeysAndTyping() throws {
        let (s, _) = try load("""
        [cache]
        STORAGE_DIR = /var/lib/graphite/
        LINE_RECEIVER_PORT = 12003
        ENABLE_UDP_LISTENER = yes
        MAX_CACHE_SIZE = 1e6
        MAX_UPDATES_PER_SECOND = 500
        MAX_CREATES_PER_MINUTE = inf
        CACHE_WRITE_STRATEGY = timesorted
        WHISPER_FALLOCATE_CREATE = off
        WHISPER_SPARSE_CREATE = On
        MIN_TIMESTAMP_RESOLUTION = 0
        """)
        XCTAssertEqual(s.storageDirectory, "/var/lib/graphite")
        XCTAssertEqual(s.localDataDirectory, "/var/lib/graphite/whisper")
        XCTAssertEqual(s.lineReceiver.port, 12003)
        XCTAssertTrue(s.enableUDPListener)
        XCTAssertEqual(s.maxCacheSize, 1_000_000)
        XCTAssertEqual(s.maxUpdatesPerSecond, 500)
        XCTAssertNil(s.maxCreatesPerMinute)
        XCTAssertEqual(s.cacheWriteStrategy, .timesorted)
        XCTAssertEqual(s.writerSettings.allocation, .sparse)
        XCTAssertEqual(s.minTimestampResolution, 0)
    }

    /// GRAPHITE_URL is where DogStatsD events are posted: plain HTTP to host[:port][/path].
    func testGraphiteURL() throws {
        XCTAssertNil(try load("").0.graphiteURL)
        for url in ["http://web:8080", "http://web", "http://[::1]:81/graphite"] {
            XCTAssertEqual(try load("[cache]\nGRAPHITE_URL = \(url)\n").0.graphiteURL?.description, url)
        }
        XCTAssertEqual(GraphiteWebURL("http://graphite:8080")?.eventsPath, "/events/")
        XCTAssertEqual(GraphiteWebURL("http://127.0.0.1:8080/graphite/")?.eventsPath, "/graphite/events/")
        XCTAssertEqual(GraphiteWebURL("http://[::1]:81")?.host, "::1")
        XCTAssertEqual(GraphiteWebURL("http://web")?.port, 80)
        XCTAssertNil(GraphiteWebURL("https://web"))
        XCTAssertNil(GraphiteWebURL("http://web:http"))
        for url in ["https://web", "http://", "http://web:http", "http://web:0", "web:8080"] {
            XCTAssertThrowsError(try load("[cache]\nGRAPHITE_URL = \(url)\n"), url)
        }
    }

    func testInstanceOverrides() throws {
        let text = """
        [cache]
        LINE_RECEIVER_PORT = 2003
        LOCAL_DATA_DIR = /data
        [cache:b]
        LINE_RECEIVER_PORT = 2103
        """
        XCTAssertEqual(try load(text).0.lineReceiver.port, 2003)
        XCTAssertEqual(try load(text, instance: "b").0.lineReceiver.port, 2103)
        XCTAssertEqual(try load(text, instance: "b").0.localDataDirectory, "/data")
    }

    func testUnknownKeyWarnsAndKnownCarbonKeysAreQuiet() throws {
        let (_, warnings) = try load("[cache]\nLOG_UPDATES = False\nUSER = carbon\nFROBNICATE = 1\n")
        XCTAssertEqual(warnings, ["stoker.conf: unknown key FROBNICATE ignored"])
    }

    func testInvalidValueNamesKeyValueAndReason() {
        XCTAssertThrowsError(try load("[cache]\nLINE_RECEIVER_PORT = 70000\n")) { error in
            XCTAssertEqual("\(error)", "stoker.conf: LINE_RECEIVER_PORT = 70000: expected a whole number from 0 to 65535")
        }
        XCTAssertThrowsError(try load("[cache]\nUSE_FLOW_CONTROL = maybe\n")) { error in
            XCTAssertTrue("\(error)".contains("USE_FLOW_CONTROL = maybe"))
        }
        XCTAssertThrowsError(try load("[cache]\nCACHE_WRITE_STRATEGY = bucketmax\n"))
        XCTAssertThrowsError(try load("[cache]\nUSE_INSECURE_UNPICKLER = True\n"))
    }

    func testShippedConfFileLoadsWithoutWarnings() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("conf/stoker.conf").path
        let file = try ConfigFileSections.load(path: path)
        let manholeKeys: Set<String> = ["enable_manhole", "manhole_interface", "manhole_port", "manhole_user", "manhole_public_key",
                                         "manhole_authorized_keys", "manhole_host_key_dir", "manhole_rsa_min_size",
                                         "manhole_max_connections", "manhole_login_timeout", "manhole_idle_timeout"]
        let result = try CarbonSettings.from(values: file.cacheSection(instance: nil), fileName: path, configDirectory: nil,
                                             otherKeys: manholeKeys)
        XCTAssertEqual(result.warnings, [])
        XCTAssertEqual(result.settings, { var s = CarbonSettings(); s.configDirectory = nil; return s }())
    }

    /// Every key documented in conf/stoker.conf is one Stoker honours, and every honoured key
    /// is documented.
    func testShippedConfDocumentsEveryKey() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("conf/stoker.conf").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var documented: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("# ") && (line.contains(" = ") || line.hasSuffix(" =")) {
            let key = line.dropFirst(2).split(separator: " ").first.map(String.init) ?? ""
            if key == key.uppercased() && !key.isEmpty { documented.insert(key.lowercased()) }
        }
        documented.remove("use_insecure_unpickler")
        // The manhole reads its own keys from [cache] (ManholeSettingsTests cover them).
        documented = documented.filter { !$0.hasPrefix("manhole_") && $0 != "enable_manhole" }
        XCTAssertEqual(documented, Set(CarbonSettings.keys.keys))
    }
}
