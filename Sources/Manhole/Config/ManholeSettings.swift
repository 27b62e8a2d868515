import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation

/// The manhole's settings, read from carbon.conf's `[cache]` section with carbon's key names
/// (ENABLE_MANHOLE, MANHOLE_INTERFACE, MANHOLE_PORT, MANHOLE_USER, MANHOLE_PUBLIC_KEY,
/// MANHOLE_HOST_KEY_DIR) plus Stoker's own (MANHOLE_AUTHORIZED_KEYS, MANHOLE_RSA_MIN_SIZE,
/// MANHOLE_MAX_CONNECTIONS, MANHOLE_LOGIN_TIMEOUT, MANHOLE_IDLE_TIMEOUT).
///
/// Unlike carbon, `MANHOLE_PUBLIC_KEY = None` does not mean "empty password": enabling the
/// manhole without any key is a configuration error.
public struct ManholeSettings: Sendable, Equatable {
    /// ENABLE_MANHOLE (default off: nothing listens).
    public var enabled = false
    /// MANHOLE_INTERFACE.
    public var interface = "127.0.0.1"
    /// MANHOLE_PORT (0 picks a free port, for tests).
    public var port = 7222
    /// MANHOLE_USER: the only user name accepted.
    public var user = ""
    /// MANHOLE_PUBLIC_KEY: one OpenSSH public-key line (ssh-ed25519, ssh-rsa, ecdsa-sha2-*).
    public var publicKey: String?
    /// MANHOLE_AUTHORIZED_KEYS: an authorized_keys file of several keys (Stoker's own).
    public var authorizedKeysFile: String?
    /// MANHOLE_HOST_KEY_DIR: where `ssh_host_ed25519_key` is generated on first start (mode
    /// 0600); any other `ssh_host_*_key` there is loaded too. Default `STORAGE_DIR/manhole`.
    public var hostKeyDirectory = "storage/manhole"
    /// MANHOLE_RSA_MIN_SIZE: RSA keys shorter than this are refused (default 2048 bits).
    public var rsaMinimumBits = 2048
    /// MANHOLE_MAX_CONNECTIONS: connections beyond it are closed at once.
    public var maxConnections = 8
    /// MANHOLE_LOGIN_TIMEOUT: seconds for the key exchange and authentication together; also
    /// libssh's SSH_OPTIONS_TIMEOUT, which bounds each blocking write to a client that stops
    /// reading.
    public var loginTimeout = 30.0
    /// MANHOLE_IDLE_TIMEOUT: seconds without input before a session is closed.
    public var idleTimeout = 3600.0

    public init() {}

    /// The `[cache]` keys read here, lower-cased (the app can leave them out of "unknown key"
    /// warnings).
    public static let configKeys: Set<String> = [
        "enable_manhole", "manhole_interface", "manhole_port", "manhole_user", "manhole_public_key",
        "manhole_host_key_dir", "manhole_authorized_keys", "manhole_rsa_min_size", "manhole_max_connections",
        "manhole_login_timeout", "manhole_idle_timeout",
    ]

    /// Reads the manhole keys of a `[cache]` section (keys lower-cased, as ConfigFileSections
    /// gives them). When enabled: a user and at least one key are required, and
    /// MANHOLE_PUBLIC_KEY must be a well-formed OpenSSH public key.
    public static func from(values: [String: String], fileName: String, storageDirectory: String) throws(ConfigError) -> ManholeSettings {
        var s = ManholeSettings()
        s.hostKeyDirectory = storageDirectory.hasSuffix("/") ? storageDirectory + "manhole" : storageDirectory + "/manhole"
        func read<T>(_ key: String, _ parse: (String) throws(ConfigValue.Invalid) -> T) throws(ConfigError) -> T? {
            guard let value = values[key] else { return nil }
            do {
                return try parse(value)
            } catch {
                throw ConfigError(file: fileName, key: key, value: value, reason: error.reason)
            }
        }
        s.enabled = try read("enable_manhole", ConfigValue.bool) ?? s.enabled
        s.interface = values["manhole_interface"] ?? s.interface
        s.port = try read("manhole_port") { v throws(ConfigValue.Invalid) in try ConfigValue.integer(v, in: 0...65535) } ?? s.port
        s.user = values["manhole_user"] ?? s.user
        if let key = values["manhole_public_key"]?.trimmingCharacters(in: .whitespaces), !key.isEmpty, key != "None" {
            s.publicKey = key
        }
        if let file = values["manhole_authorized_keys"], !file.isEmpty { s.authorizedKeysFile = file }
        if let directory = values["manhole_host_key_dir"], !directory.isEmpty { s.hostKeyDirectory = directory }
        s.rsaMinimumBits = try read("manhole_rsa_min_size") { v throws(ConfigValue.Invalid) in
            try ConfigValue.integer(v, in: 1024...16384)
        } ?? s.rsaMinimumBits
        s.maxConnections = try read("manhole_max_connections") { v throws(ConfigValue.Invalid) in
            try ConfigValue.integer(v, in: 1...1000)
        } ?? s.maxConnections
        s.loginTimeout = try read("manhole_login_timeout") { v throws(ConfigValue.Invalid) in
            try ConfigValue.number(v, in: 1...3600)
        } ?? s.loginTimeout
        s.idleTimeout = try read("manhole_idle_timeout") { v throws(ConfigValue.Invalid) in
            try ConfigValue.number(v, in: 1...1e7)
        } ?? s.idleTimeout
        if s.enabled { try s.validate(fileName: fileName) }
        return s
    }

    /// The checks that need no file access: a user, at least one key, a parsable
    /// MANHOLE_PUBLIC_KEY.
    public func validate(fileName: String) throws(ConfigError) {
        guard !user.isEmpty else {
            throw ConfigError(file: fileName, key: "manhole_user", value: user, reason: "ENABLE_MANHOLE needs a MANHOLE_USER")
        }
        guard publicKey != nil || authorizedKeysFile != nil else {
            throw ConfigError(file: fileName, key: "manhole_public_key", value: "None",
                              reason: "ENABLE_MANHOLE needs MANHOLE_PUBLIC_KEY or MANHOLE_AUTHORIZED_KEYS "
                                  + "(Stoker has no passwordless login)")
        }
        if let publicKey {
            do {
                _ = try AuthorizedKey(line: publicKey, minimumRSABits: rsaMinimumBits)
            } catch {
                throw ConfigError(file: fileName, key: "manhole_public_key", value: publicKey, reason: error.reason)
            }
        }
    }

    /// Every key that may log in: MANHOLE_PUBLIC_KEY and the lines of MANHOLE_AUTHORIZED_KEYS.
    /// Throws when there is none, or when a line is malformed or an RSA key is too short.
    func authorizedKeys() throws(ConfigError) -> [AuthorizedKey] {
        var keys: [AuthorizedKey] = []
        if let publicKey {
            do {
                keys.append(try AuthorizedKey(line: publicKey, minimumRSABits: rsaMinimumBits))
            } catch {
                throw ConfigError(file: "MANHOLE_PUBLIC_KEY", value: publicKey, reason: error.reason)
            }
        }
        if let file = authorizedKeysFile {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigError(file: file, reason: "cannot read MANHOLE_AUTHORIZED_KEYS: \(error.localizedDescription)")
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                do {
                    keys.append(try AuthorizedKey(line: trimmed, minimumRSABits: rsaMinimumBits))
                } catch {
                    throw ConfigError(file: "\(file):\(number + 1)", reason: error.reason)
                }
            }
        }
        guard !keys.isEmpty else {
            throw ConfigError(file: authorizedKeysFile ?? "MANHOLE_PUBLIC_KEY", reason: "no public key authorised for the manhole")
        }
        return keys
    }
}
