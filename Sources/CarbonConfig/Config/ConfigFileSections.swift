/// The sections of Stoker's INI config file (`[cache]`, `[cache:NAME]`, `[statsd]`, ...), keys
/// lower-cased as Python's ConfigParser does.
public struct ConfigFileSections: Sendable {
    public private(set) var sections: [(name: String, values: [String: String])]

    public init(text: String, fileName: String) throws(ConfigError) {
        do {
            sections = try OrderedINI(text: text, fileName: fileName).sections.map { ($0.name, $0.values) }
        } catch {
            throw ConfigError(file: fileName, reason: "\(error)")
        }
    }

    public static func load(path: String) throws(ConfigError) -> ConfigFileSections {
        let text: String
        do {
            text = try ConfigFile.text(atPath: path)
        } catch {
            throw ConfigError(file: path, reason: "\(error)")
        }
        return try ConfigFileSections(text: text, fileName: path)
    }

    public func section(_ name: String) -> [String: String]? {
        sections.first { $0.name == name }?.values
    }

    /// `[cache]` with `[cache:INSTANCE]` laid over it, as carbon's `--instance` does.
    public func cacheSection(instance: String?) -> [String: String] {
        var values = section("cache") ?? [:]
        if let instance, let overrides = section("cache:\(instance)") {
            values.merge(overrides) { _, new in new }
        }
        return values
    }
}
