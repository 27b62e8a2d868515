/// whitelist.conf and blacklist.conf (USE_WHITELIST): one regular expression per line,
/// searched anywhere in the metric name as received (before tag normalisation).
public struct MetricFilters: Sendable {
    public var whitelist: [MetricPattern]
    public var blacklist: [MetricPattern]
    /// Lines that were not valid expressions, skipped (carbon logs and skips them too).
    public var warnings: [String]

    public static let allowAll = MetricFilters(whitelist: [], blacklist: [], warnings: [])

    public init(whitelist: [MetricPattern], blacklist: [MetricPattern], warnings: [String] = []) {
        self.whitelist = whitelist
        self.blacklist = blacklist
        self.warnings = warnings
    }

    public enum Verdict: Equatable, Sendable { case allowed, blacklisted, notWhitelisted }

    public func verdict(for metric: String) -> Verdict {
        if blacklist.contains(where: { $0.matches(metric) }) { return .blacklisted }
        if !whitelist.isEmpty && !whitelist.contains(where: { $0.matches(metric) }) { return .notWhitelisted }
        return .allowed
    }

    /// Parses a list file's text: blank lines and `#` comments skipped, bad expressions reported.
    public static func patterns(fromListText text: String, fileName: String) -> (patterns: [MetricPattern], warnings: [String]) {
        var patterns: [MetricPattern] = []
        var warnings: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                patterns.append(try MetricPattern(String(line)))
            } catch {
                warnings.append("\(fileName):\(number + 1): invalid expression \(line): \(error)")
            }
        }
        return (patterns, warnings)
    }

    /// Loads the two files; a missing file is an empty list (as carbon treats a deleted one).
    public static func load(whitelistPath: String, blacklistPath: String) -> MetricFilters {
        func read(_ path: String) -> (patterns: [MetricPattern], warnings: [String]) {
            guard let text = try? ConfigFile.text(atPath: path) else { return ([], []) }
            return patterns(fromListText: text, fileName: path)
        }
        let white = read(whitelistPath), black = read(blacklistPath)
        return MetricFilters(whitelist: white.patterns, blacklist: black.patterns, warnings: white.warnings + black.warnings)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
