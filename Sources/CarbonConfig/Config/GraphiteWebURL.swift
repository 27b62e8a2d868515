/// `GRAPHITE_URL`: graphite-web's base URL, where DogStatsD events are posted. Plain HTTP only:
/// `http://host[:port][/path]` (port 80 when none, `[...]` around an IPv6 address).
public struct GraphiteWebURL: Sendable, Equatable, CustomStringConvertible {
    /// As configured.
    public let description: String
    public let host: String
    public let port: Int
    /// The URL's own path without a trailing `/` (empty for none).
    public let basePath: String

    /// nil for anything but such a URL.
    public init?(_ text: String) {
        guard text.hasPrefix("http://"), !text.contains(" ") else { return nil }
        var rest = text.dropFirst("http://".count)
        var base = ""
        if let slash = rest.firstIndex(of: "/") {
            base = String(rest[slash...])
            rest = rest[..<slash]
        }
        while base.hasSuffix("/") { base.removeLast() }
        var hostPart = String(rest), port = 80
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            hostPart = String(rest[..<colon])
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") { hostPart = String(hostPart.dropFirst().dropLast()) }
        guard !hostPart.isEmpty else { return nil }
        description = text
        host = hostPart
        self.port = port
        basePath = base
    }

    /// graphite-web's events API.
    public var eventsPath: String { basePath + "/events/" }
}
