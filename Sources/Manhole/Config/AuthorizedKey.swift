import Foundation

/// One public key allowed to log in, as written in an OpenSSH `authorized_keys` line
/// (`[options] type base64 [comment]`). Kept as text: each connection thread imports its own
/// libssh key objects from it.
struct AuthorizedKey: Sendable, Equatable {
    struct Invalid: Error, Equatable {
        var reason: String
    }

    static let supportedTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    ]

    var type: String
    var base64: String
    var comment: String
    /// The modulus size of an RSA key.
    var rsaBits: Int?

    init(line: String, minimumRSABits: Int) throws(Invalid) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        // Options (from="...",no-pty) come first in authorized_keys; the type is the first
        // field that names a key type.
        guard let typeIndex = fields.firstIndex(where: { Self.supportedTypes.contains($0) || $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-") || $0.hasPrefix("sk-") }),
              typeIndex + 1 < fields.count
        else {
            throw Invalid(reason: "not an OpenSSH public key line (expected: ssh-ed25519 AAAA... [comment])")
        }
        type = fields[typeIndex]
        guard Self.supportedTypes.contains(type) else {
            throw Invalid(reason: "key type \(type) is not accepted (use ssh-ed25519, ssh-rsa or ecdsa-sha2-*)")
        }
        base64 = fields[typeIndex + 1]
        comment = fields[(typeIndex + 2)...].joined(separator: " ")
        guard let blob = Data(base64Encoded: base64), let fields = Self.sshStrings(Array(blob)), fields.first == Array(type.utf8) else {
            throw Invalid(reason: "the \(type) key's base64 data is not a \(type) public key")
        }
        if type == "ssh-rsa" {
            guard fields.count >= 3 else { throw Invalid(reason: "truncated ssh-rsa key") }
            let modulus = fields[2].drop { $0 == 0 }
            let bits = modulus.isEmpty ? 0 : (modulus.count - 1) * 8 + (8 - modulus.first!.leadingZeroBitCount)
            rsaBits = bits
            guard bits >= minimumRSABits else {
                throw Invalid(reason: "RSA key of \(bits) bits is shorter than MANHOLE_RSA_MIN_SIZE (\(minimumRSABits))")
            }
        }
    }

    /// The length-prefixed strings of an SSH wire-format key blob; nil when malformed.
    static func sshStrings(_ bytes: [UInt8]) -> [[UInt8]]? {
        var result: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            guard index + 4 <= bytes.count else { return nil }
            let length = bytes[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            index += 4
            guard length <= bytes.count - index else { return nil }
            result.append(Array(bytes[index..<index + length]))
            index += length
        }
        return result
    }
}
