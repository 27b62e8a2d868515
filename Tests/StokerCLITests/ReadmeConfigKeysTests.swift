import Foundation
import XCTest

/// README.md's "Configuration keys" tables cannot drift from what Stoker honours: they list
/// exactly the keys of each section that `stoker check-config` reports (the code's own list),
/// with the defaults `conf/stoker.conf` documents, and every default that check-config shows
/// as a plain value is the one the code really uses.
/// (`CarbonSettingsTests` and `StatsdServerSettingsTests` check conf/stoker.conf itself.)
final class ReadmeConfigKeysTests: XCTestCase {
    /// Section name (`cache`, `statsd`, `api`) -> key -> default, in the order written.
    typealias Sections = [String: [(key: String, value: String)]]

    private static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testReadmeTablesListEveryKeyWithTheDocumentedDefault() throws {
        let readme = Self.readmeTables(try String(contentsOf: Self.package.appendingPathComponent("README.md"), encoding: .utf8))
        let conf = Self.commentedKeys(try String(contentsOf: Self.package.appendingPathComponent("conf/stoker.conf"), encoding: .utf8))
        let box = try Sandbox()
        try box.write("stoker.conf", Data("[cache]\n".utf8))
        let report = try CLI.stoker(["check-config", "--config", "stoker.conf"], in: box.url)
        let effective = Self.checkConfigSections(assertSuccess(report, "check-config"))

        for (section, least) in [("cache", 30), ("statsd", 30), ("api", 5)] {
            let table = readme[section] ?? []
            XCTAssertGreaterThan(table.count, least, "README has a [\(section)] table")
            let keys = table.map(\.key)
            XCTAssertEqual(keys.count, Set(keys).count, "[\(section)] listed once each: \(keys)")
            let tableDefaults = Dictionary(table.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let documented = Dictionary((conf[section] ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            let honoured = Dictionary((effective[section] ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            XCTAssertGreaterThan(honoured.count, least, "check-config printed [\(section)]")

            XCTAssertEqual(Set(tableDefaults.keys).subtracting(honoured.keys).sorted(), [],
                           "[\(section)] README lists keys Stoker does not honour")
            XCTAssertEqual(Set(honoured.keys).subtracting(tableDefaults.keys).sorted(), [],
                           "[\(section)] keys Stoker honours missing from the README")
            XCTAssertEqual(Set(documented.keys).symmetricDifference(tableDefaults.keys).sorted(), [],
                           "[\(section)] README and conf/stoker.conf list different keys")
            for (key, value) in tableDefaults {
                if let documentedValue = documented[key] {
                    XCTAssertEqual(value, documentedValue, "[\(section)] \(key): README default vs conf/stoker.conf")
                }
                // check-config shows derived defaults as "(unset ...)"; the README shows those,
                // and paths worked out from other keys, as empty.
                if let actual = honoured[key], !actual.hasPrefix("("), !value.isEmpty {
                    XCTAssertTrue(Self.same(value, actual), "[\(section)] \(key): README says \(value), Stoker uses \(actual)")
                }
            }
        }
    }

    /// Booleans are spelled True/true depending on the section; everything else exactly.
    static func same(_ a: String, _ b: String) -> Bool {
        let booleans: Set<String> = ["true", "false"]
        if booleans.contains(a.lowercased()) && booleans.contains(b.lowercased()) { return a.lowercased() == b.lowercased() }
        return a == b
    }

    /// Rows `` | `KEY` | default | meaning | `` under `### [cache]` and `### [statsd]` of the
    /// `## Configuration keys` section. The default is the code span the cell starts with;
    /// a cell that does not start with one (`empty: ...`) means an empty value.
    static func readmeTables(_ text: String) -> Sections {
        var sections: Sections = [:]
        var inSection = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                inSection = line == "## Configuration keys"
                current = nil
                continue
            }
            guard inSection else { continue }
            if line.hasPrefix("### ") {
                current = ["cache", "statsd", "api"].first { line.contains("[\($0)]") }
                continue
            }
            guard let section = current, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let key = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            sections[section, default: []].append((key, codeSpanAtStart(cells[2])))
        }
        return sections
    }

    static func codeSpanAtStart(_ cell: String) -> String {
        guard cell.hasPrefix("`") else { return "" }
        let rest = cell.dropFirst()
        return String(rest.prefix { $0 != "`" })
    }

    /// `# KEY = value` and `# KEY =` lines of conf/stoker.conf, by section.
    static func commentedKeys(_ text: String) -> Sections {
        var sections: Sections = [:]
        var current: String?
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("[") {
                current = ["cache", "statsd", "api"].first { line == "[\($0)]" }
                continue
            }
            guard let section = current, line.hasPrefix("# ") else { continue }
            if let pair = assignment(String(line.dropFirst(2))) { sections[section, default: []].append(pair) }
        }
        return sections
    }

    /// `[cache]` and `[statsd]` of check-config's report: `KEY = value` lines up to a blank one.
    static func checkConfigSections(_ text: String) -> Sections {
        var sections: Sections = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "[cache]" || line == "[statsd]" || line == "[api]" {
                current = String(line.dropFirst().dropLast())
                continue
            }
            if line.isEmpty { current = nil }
            guard let section = current, !line.hasPrefix("#") else { continue }
            if let pair = assignment(line) { sections[section, default: []].append(pair) }
        }
        return sections
    }

    /// `KEY = value` or `KEY =` with a key of letters, digits and `_`; nil for anything else.
    static func assignment(_ text: String) -> (key: String, value: String)? {
        guard let range = text.range(of: " =") else { return nil }
        let key = String(text[..<range.lowerBound])
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), key.first?.isNumber == false else { return nil }
        let rest = text[range.upperBound...]
        guard rest.isEmpty || rest.hasPrefix(" ") else { return nil }
        return (key, rest.trimmingCharacters(in: .whitespaces))
    }
}
