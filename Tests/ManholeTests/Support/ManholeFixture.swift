import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Logging
@testable import Manhole
@testable import ManholeLanguage

/// Client key pairs made once by ssh-keygen: an authorised ed25519 key (MANHOLE_PUBLIC_KEY),
/// authorised RSA 3072 and ECDSA P-256 keys (MANHOLE_AUTHORIZED_KEYS, the latter behind
/// authorized_keys options, which are skipped) and an ed25519 key nobody authorised.
final class ClientKeys: Sendable {
    static let shared: Result<ClientKeys, any Error> = Result { try ClientKeys() }

    let directory: URL
    let ed25519Key: String
    let rsaKey: String
    let strangerKey: String
    let ecdsaKey: String
    let authorizedKeysFile: String

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("manhole-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ed25519Key = try Self.keygen(in: directory, name: "id_ed25519", type: ["-t", "ed25519"])
        rsaKey = try Self.keygen(in: directory, name: "id_rsa", type: ["-t", "rsa", "-b", "3072"])
        strangerKey = try Self.keygen(in: directory, name: "id_stranger", type: ["-t", "ed25519"])
        ecdsaKey = try Self.keygen(in: directory, name: "id_ecdsa", type: ["-t", "ecdsa", "-b", "256"])
        authorizedKeysFile = directory.appendingPathComponent("authorized_keys").path
        try ("# the RSA key\n" + (try String(contentsOfFile: rsaKey + ".pub", encoding: .utf8)) + "\n"
            + "no-pty,from=\"127.0.0.1\" " + (try String(contentsOfFile: ecdsaKey + ".pub", encoding: .utf8)))
            .write(toFile: authorizedKeysFile, atomically: true, encoding: .utf8)
    }

    func publicLine(_ key: String) throws -> String {
        try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func keygen(in directory: URL, name: String, type: [String]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let result = try SSHClient.execute("/usr/bin/ssh-keygen", type + ["-N", "", "-q", "-C", name, "-f", path])
        guard result.status == 0 else { throw ManholeError("ssh-keygen failed: \(result.stderr)") }
        return path
    }
}

/// A manhole server for one test: started in-process on a free 127.0.0.1 port, over a fresh
/// MetricCache and a CacheWriter (not running until writeCachedDataPoints starts it) writing
/// to a temporary data directory.
final class ManholeFixture {
    let keys: ClientKeys
    let directory: URL
    let dataDirectory: String
    let cache: MetricCache
    let writer: CacheWriter
    let server: ManholeServer
    let port: Int
    let user = "admin"

    init(configure: (inout ManholeSettings) -> Void = { _ in }) throws {
        keys = try ClientKeys.shared.get()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("manhole-e2e-\(UUID().uuidString)")
        dataDirectory = directory.appendingPathComponent("whisper").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        cache = MetricCache(shardCount: 4)
        var writerSettings = WriterSettings(dataDirectory: dataDirectory)
        writerSettings.allocation = .sparse
        let root = dataDirectory
        let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                                   newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 10, points: 8640)], xFilesFactor: 0) })
        writer = CacheWriter(cache: cache, settings: writerSettings, layout: layout, logger: Logger(label: "manhole-test-writer"))

        var settings = try ManholeSettings.from(values: [
            "enable_manhole": "True",
            "manhole_interface": "127.0.0.1",
            "manhole_port": "0",
            "manhole_user": user,
            "manhole_public_key": try keys.publicLine(keys.ed25519Key),
            "manhole_authorized_keys": keys.authorizedKeysFile,
            "manhole_host_key_dir": directory.appendingPathComponent("hostkeys").path,
        ], fileName: "carbon.conf", storageDirectory: directory.path)
        configure(&settings)
        let context = ManholeContext(
            cache: cache,
            writeCachedDataPoints: ManholeContext.flushing(writer, timeout: 20),
            writerStatistics: writer.statistics,
            whisperPath: { try MetricPath.filePath(for: $0, dataDirectory: root) })
        server = ManholeServer(settings: settings, context: context, logger: Logger(label: "manhole-test"))
        port = try server.start()
    }

    func client(key: String? = nil, user: String? = nil) -> SSHClient {
        SSHClient(port: port, identity: key ?? keys.ed25519Key, user: user ?? self.user)
    }

    func tearDown() {
        server.stop()
        writer.drainAndStop()
        try? FileManager.default.removeItem(at: directory)
    }
}
