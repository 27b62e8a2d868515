import Whisper

/// storage-schemas.conf: retention rules tried in file order, first match wins, with carbon's
/// implicit `60:10080` (one minute for 7 days) matching everything after the last section.
///
/// Loading follows carbon's `loadStorageSchemas`, in its order of checks per section:
/// no `retentions` → skipped with a warning; a malformed retention → error (carbon exits);
/// no or empty `pattern` → skipped with a warning; a pattern that does not compile → error;
/// archives whisper refuses → skipped with "Invalid schemas found in SECTION".
public struct StorageSchemas: Sendable {
    /// carbon's `defaultSchema`: 60-second points for 10080 points (7 days).
    public static let defaultSchema = StorageSchema(
        name: "default", pattern: nil, archives: [ArchiveSpec(secondsPerPoint: 60, points: 10080)])

    /// The usable sections in match order, without the implicit default.
    public let schemas: [StorageSchema]
    /// What carbon would only log: sections skipped and why.
    public let warnings: [String]

    public init(schemas: [StorageSchema], warnings: [String] = []) {
        self.schemas = schemas
        self.warnings = warnings
    }

    /// The first rule matching `metric` (the normalised name), else the default.
    public func match(_ metric: String) -> StorageSchema {
        schemas.first { $0.matches(metric) } ?? Self.defaultSchema
    }

    /// Reads and parses the file at `path`; unlike storage-aggregation.conf it must exist.
    public static func load(path: String) throws(StorageConfigError) -> StorageSchemas {
        try parse(text: ConfigFile.text(atPath: path), fileName: path)
    }

    /// Parses storage-schemas.conf text; `fileName` labels messages.
    public static func parse(text: String, fileName: String) throws(StorageConfigError) -> StorageSchemas {
        let ini = try OrderedINI(text: text, fileName: fileName)
        var schemas: [StorageSchema] = []
        var warnings: [String] = []
        for section in ini.sections {
            guard let retentions = section.values["retentions"] else {
                warnings.append("Schema \(section.name) missing 'retentions', skipping")
                continue
            }
            let archives: [ArchiveSpec]
            do {
                archives = try RetentionParser.parse(retentions)
            } catch {
                throw .invalidValue(file: fileName, section: section.name, key: "retentions",
                                    value: retentions, reason: error.description)
            }
            guard let source = section.values["pattern"], !source.isEmpty else {
                warnings.append("Section missing 'pattern': \(section.name)")
                continue
            }
            let pattern: MetricPattern
            do {
                pattern = try MetricPattern(source)
            } catch {
                throw .invalidValue(file: fileName, section: section.name, key: "pattern",
                                    value: source, reason: "\(error)")
            }
            do {
                let sorted = try ArchiveSpec.validated(archives)
                schemas.append(StorageSchema(name: section.name, pattern: pattern, archives: sorted))
            } catch {
                warnings.append("Invalid schemas found in \(section.name): \(error)")
            }
        }
        return StorageSchemas(schemas: schemas, warnings: warnings)
    }
}
