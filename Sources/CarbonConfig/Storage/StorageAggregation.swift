import Pickle
import Whisper

/// storage-aggregation.conf: per-pattern xFilesFactor and aggregation method for new files,
/// first match in file order wins; no match means whisper's defaults (0.5, average).
///
/// Loading follows carbon's `loadAggregationSchemas`: a non-numeric `xFilesFactor` only skips
/// its section with "Invalid schemas found in SECTION"; one outside [0, 1] (NaN included) or
/// an unknown `aggregationMethod` aborts carbon, so both are errors here. A section without
/// `pattern` has no sensible meaning in carbon (it crashes or repeats the previous rule);
/// Stoker refuses it.
public struct StorageAggregation: Sendable {
    /// The usable sections in match order.
    public let rules: [AggregationRule]
    /// What carbon would only log: sections skipped, a missing file.
    public let warnings: [String]

    public init(rules: [AggregationRule], warnings: [String] = []) {
        self.rules = rules
        self.warnings = warnings
    }

    /// The policy for a new file named `metric` (the normalised name).
    public func match(_ metric: String) -> AggregationPolicy {
        rules.first { $0.pattern.matches(metric) }?.policy ?? .whisperDefault
    }

    /// Reads and parses the file at `path`. The file is optional, as in carbon: when it cannot
    /// be opened the result has no rules and says so in `warnings`.
    public static func load(path: String) throws(StorageConfigError) -> StorageAggregation {
        let text: String
        do {
            text = try ConfigFile.text(atPath: path)
        } catch let error {
            guard case .unreadable = error else { throw error }
            return StorageAggregation(rules: [], warnings: ["\(error); using whisper's defaults"])
        }
        return try parse(text: text, fileName: path)
    }

    /// Parses storage-aggregation.conf text; `fileName` labels messages.
    public static func parse(text: String, fileName: String) throws(StorageConfigError) -> StorageAggregation {
        let ini = try OrderedINI(text: text, fileName: fileName)
        var rules: [AggregationRule] = []
        var warnings: [String] = []
        for section in ini.sections {
            var xFilesFactor: Double?
            if let text = section.values["xfilesfactor"] {
                // Python's float() on the (already stripped) value.
                guard let value = PythonFloatSyntax.parse(text) else {
                    warnings.append("Invalid schemas found in \(section.name).")
                    continue
                }
                // Written so that NaN fails too, like Python's `0 <= x <= 1`.
                guard value >= 0 && value <= 1 else {
                    throw .invalidValue(file: fileName, section: section.name, key: "xFilesFactor",
                                        value: text, reason: "must be between 0 and 1")
                }
                xFilesFactor = value
            }
            var method: AggregationMethod?
            if let name = section.values["aggregationmethod"] {
                guard let known = AggregationMethod(name: name) else {
                    let names = AggregationMethod.allCases.map(\.name).joined(separator: ", ")
                    throw .invalidValue(file: fileName, section: section.name, key: "aggregationMethod",
                                        value: name, reason: "must be one of \(names)")
                }
                method = known
            }
            guard let source = section.values["pattern"], !source.isEmpty else {
                throw .invalidValue(file: fileName, section: section.name, key: "pattern",
                                    value: section.values["pattern"] ?? "", reason: "a pattern is required")
            }
            let pattern: MetricPattern
            do {
                pattern = try MetricPattern(source)
            } catch {
                throw .invalidValue(file: fileName, section: section.name, key: "pattern",
                                    value: source, reason: "\(error)")
            }
            rules.append(AggregationRule(name: section.name, pattern: pattern,
                                         xFilesFactor: xFilesFactor, method: method))
        }
        return StorageAggregation(rules: rules, warnings: warnings)
    }
}
