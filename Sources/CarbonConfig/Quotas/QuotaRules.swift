import Glibc

/// quotas.conf (docs/quotas.md): per-namespace limits on series, throughput and new series,
/// in the spirit of go-carbon's quotas. Every section whose glob matches applies (a metric under
/// `sys.app.web` meets `[sys.app.*]`, `[*]` and `[/]`); an absent file means no quotas.
public struct QuotaRules: Sendable, Equatable {
    public let rules: [QuotaRule]

    public init(rules: [QuotaRule]) { self.rules = rules }

    public static let none = QuotaRules(rules: [])

    public var isEmpty: Bool { rules.isEmpty }
    /// Whether any rule limits throughput: then every point is looked at on its way in.
    public var limitsThroughput: Bool { rules.contains { $0.throughputPerMinute != nil } }
    /// Whether any rule limits series: then the existing files are counted at start.
    public var limitsSeries: Bool { rules.contains { $0.metrics != nil } }

    /// The rules `metric` falls under and its namespace under each, as (rule index, namespace),
    /// limited to the rules `selected` keeps. A tagged series (`name;tag=value`) falls under
    /// the namespaces of its name.
    public func namespaces(of metric: String, where selected: (QuotaRule) -> Bool = { _ in true }) -> [(rule: Int, namespace: String)] {
        let name = metric.utf8.firstIndex(of: UInt8(ascii: ";")).map { String(metric[..<$0]) } ?? metric
        var found: [(rule: Int, namespace: String)] = []
        for (index, rule) in rules.enumerated() where selected(rule) {
            if let namespace = rule.namespace(of: name) { found.append((index, String(namespace))) }
        }
        return found
    }

    static let keys: Set<String> = ["metrics", "throughput", "new-series-per-minute", "dropping-policy"]
    /// Components a section glob may have.
    static let maxDepth = 64

    /// Reads the file at `path`; an absent file is no quotas.
    public static func load(path: String) throws(StorageConfigError) -> QuotaRules {
        let text: String
        do {
            text = try ConfigFile.text(atPath: path)
        } catch let error {
            if case let .unreadable(_, code) = error, code == ENOENT { return .none }
            throw error
        }
        return try parse(text: text, fileName: path)
    }

    /// Parses quotas.conf text; `fileName` labels messages.
    public static func parse(text: String, fileName: String) throws(StorageConfigError) -> QuotaRules {
        let ini = try OrderedINI(text: text, fileName: fileName)
        var rules: [QuotaRule] = []
        for section in ini.sections {
            func invalid(_ key: String, _ value: String, _ reason: String) -> StorageConfigError {
                .invalidValue(file: fileName, section: section.name, key: key, value: value, reason: reason)
            }
            if let unknown = section.values.keys.sorted().first(where: { !keys.contains($0) }) {
                throw invalid(unknown, section.values[unknown] ?? "", "not a quota key (\(keys.sorted().joined(separator: ", ")))")
            }
            var pattern: PathPattern?
            if section.name != "/" {
                do {
                    pattern = try PathPattern(section.name, maxComponents: maxDepth, variantLimit: 64)
                } catch {
                    throw invalid("[section]", section.name, error.description)
                }
                if pattern!.components.contains(where: { $0.isGlobstar }) || section.name.isEmpty {
                    throw invalid("[section]", section.name, "a namespace glob has a fixed number of components (no ** or empty name)")
                }
            }
            var rule = QuotaRule(section: section.name, pattern: pattern)
            for (key, value) in section.values {
                switch key {
                case "dropping-policy":
                    guard let policy = QuotaRule.DroppingPolicy(rawValue: value.lowercased()) else {
                        throw invalid(key, value, "expected new or none")
                    }
                    rule.droppingPolicy = policy
                default:
                    let limit: Int?
                    do { limit = try quantity(value) } catch { throw invalid(key, value, "expected a whole number (1,000 and 1_000 are fine), max or nothing") }
                    switch key {
                    case "metrics": rule.metrics = limit
                    case "throughput": rule.throughputPerMinute = limit
                    default: rule.newSeriesPerMinute = limit
                    }
                }
            }
            rules.append(rule)
        }
        return QuotaRules(rules: rules)
    }

    struct NotAQuantity: Error {}

    /// A limit: digits with optional `,` or `_` separators; `max`/`maximum` or nothing is no limit.
    static func quantity(_ text: String) throws(NotAQuantity) -> Int? {
        let lowered = text.lowercased()
        if lowered.isEmpty || lowered == "max" || lowered == "maximum" { return nil }
        let digits = lowered.filter { $0 != "," && $0 != "_" }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(digits) else {
            throw NotAQuantity()
        }
        return value
    }
}
