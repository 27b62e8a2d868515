/// A configuration problem that stops startup: it names the file, the key, the value and why.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var key: String?
    public var value: String?
    public var reason: String

    public init(file: String, key: String? = nil, value: String? = nil, reason: String) {
        self.file = file
        self.key = key
        self.value = value
        self.reason = reason
    }

    public var description: String {
        var text = "\(file):"
        if let key { text += " \(key.uppercased())" }
        if let value { text += " = \(value)" }
        return text + ": \(reason)"
    }
}
