/// A graphite path query (`servers.web*.cpu.{user,system}`): backslashes removed, split on
/// every `.` (inside braces too, as graphite-web does), one `ComponentPattern` per component
/// (docs/reads.md §2; quota sections use it too, docs/quotas.md).
public struct PathPattern: Sendable, Equatable {
    public let text: String
    public let components: [ComponentPattern]

    public init(_ text: String, maxComponents: Int = 256, variantLimit: Int = 1024) throws(GlobError) {
        self.text = text
        let cleaned = text.utf8.filter { $0 != UInt8(ascii: "\\") }
        let parts = cleaned.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= maxComponents else { throw .tooManyComponents(limit: maxComponents) }
        var components: [ComponentPattern] = []
        components.reserveCapacity(parts.count)
        for part in parts {
            components.append(try ComponentPattern(Array(part), variantLimit: variantLimit))
        }
        self.components = components
    }

    /// graphite-web's `is_pattern`: whether the text has any wildcard character.
    public var hasWildcards: Bool {
        text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }
    }
}
