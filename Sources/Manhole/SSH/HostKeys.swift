import ManholeLanguage
import CLibSSH
import Glibc

/// The manhole's host keys in MANHOLE_HOST_KEY_DIR: every `ssh_host_*_key` there, and an
/// ed25519 `ssh_host_ed25519_key` generated on first start (mode 0600, its `.pub` beside it).
enum HostKeys {
    static let generatedName = "ssh_host_ed25519_key"

    /// Ensures the directory (mode 0700 when created) and the ed25519 key exist; returns the
    /// host key files to load, and the one generated now (if any).
    static func prepare(directory: String) throws(ManholeError) -> (paths: [String], generated: String?) {
        try makeDirectory(directory)
        let generatedPath = directory + "/" + generatedName
        var generated: String?
        if access(generatedPath, F_OK) != 0 {
            try generate(path: generatedPath)
            generated = generatedPath
        }
        var paths: [String] = []
        guard let dir = opendir(directory) else {
            throw ManholeError("MANHOLE_HOST_KEY_DIR \(directory): cannot list: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("ssh_host_"), name.hasSuffix("_key") { paths.append(directory + "/" + name) }
        }
        return (paths.sorted(), generated)
    }

    /// Imports a private key file; the caller owns the returned key.
    static func load(path: String) throws(ManholeError) -> ssh_key {
        var key: ssh_key?
        guard ssh_pki_import_privkey_file(path, nil, nil, nil, &key) == SSH_OK, let key else {
            throw ManholeError("MANHOLE_HOST_KEY_DIR: cannot read the host key \(path) (unencrypted OpenSSH or PEM private key expected)")
        }
        return key
    }

    /// `SHA256:...` as OpenSSH prints it.
    static func fingerprint(of key: ssh_key) -> String {
        var hash: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0, let hash else { return "?" }
        defer {
            var pointer: UnsafeMutablePointer<UInt8>? = hash
            ssh_clean_pubkey_hash(&pointer)
        }
        guard let text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length) else { return "?" }
        defer { ssh_string_free_char(text) }
        return String(cString: text)
    }

    static func typeName(of key: ssh_key) -> String {
        ssh_key_type_to_char(ssh_key_type(key)).map { String(cString: $0) } ?? "unknown"
    }

    private static func makeDirectory(_ directory: String) throws(ManholeError) {
        var components: [String] = []
        for part in directory.split(separator: "/", omittingEmptySubsequences: false) {
            components.append(String(part))
            let path = components.joined(separator: "/")
            if path.isEmpty { continue }
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw ManholeError("MANHOLE_HOST_KEY_DIR \(directory): cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Generates an ed25519 key into `path` (created with O_EXCL and mode 0600, never wider)
    /// and its public line into `path.pub`.
    private static func generate(path: String) throws(ManholeError) {
        var key: ssh_key?
        guard ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK, let key else {
            throw ManholeError("cannot generate an ed25519 host key")
        }
        defer { ssh_key_free(key) }
        var privateText: UnsafeMutablePointer<CChar>?
        guard ssh_pki_export_privkey_base64(key, nil, nil, nil, &privateText) == SSH_OK, let privateText else {
            throw ManholeError("cannot encode the generated host key")
        }
        let privateKey = String(cString: privateText)
        ssh_string_free_char(privateText)
        try writeNew(path: path, text: privateKey.hasSuffix("\n") ? privateKey : privateKey + "\n", mode: 0o600)
        var publicText: UnsafeMutablePointer<CChar>?
        if ssh_pki_export_pubkey_base64(key, &publicText) == SSH_OK, let publicText {
            let line = "ssh-ed25519 " + String(cString: publicText) + " stoker-manhole\n"
            ssh_string_free_char(publicText)
            unlink(path + ".pub")
            try? writeNew(path: path + ".pub", text: line, mode: 0o644)
        }
    }

    private static func writeNew(path: String, text: String, mode: mode_t) throws(ManholeError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ManholeError("cannot create the host key \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ManholeError("cannot write the host key \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
