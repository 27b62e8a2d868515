import XCTest
import Whisper
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// storage-schemas.conf (docs/carbon.md §9).
final class StorageSchemasTests: XCTestCase {
    private func archives(_ list: [(Int, Int)]) -> [ArchiveSpec] {
        list.map { ArchiveSpec(secondsPerPoint: $0.0, points: $0.1) }
    }

    private func parseError(_ text: String) -> StorageConfigError? {
        do {
            _ = try StorageSchemas.parse(text: text, fileName: "/etc/carbon/storage-schemas.conf")
            return nil
        } catch {
            return error
        }
    }

    private let shipped = """
        [carbon]
        pattern = ^carbon\\.
        retentions = 60:90d

        [stats]
        pattern = ^stats\\.
        retentions = 10s:6h,1m:7d,10m:5y

        [counts]
        pattern = \\.count$
        retentions = 1m:30d
        """

    func testFirstMatchInFileOrder() throws {
        let schemas = try StorageSchemas.parse(text: shipped, fileName: "s.conf")
        XCTAssertEqual(schemas.schemas.map(\.name), ["carbon", "stats", "counts"])
        XCTAssertEqual(schemas.warnings, [])
        XCTAssertEqual(schemas.match("carbon.agents.a.cpuUsage").name, "carbon")
        XCTAssertEqual(schemas.match("carbon.agents.a.cpuUsage").archives, archives([(60, 129_600)]))
        // Both `stats` and `counts` match; the earlier section wins.
        XCTAssertEqual(schemas.match("stats.requests.count").name, "stats")
        XCTAssertEqual(schemas.match("stats.requests.count").archives,
                       archives([(10, 2160), (60, 10080), (600, 262_800)]))
        XCTAssertEqual(schemas.match("app.requests.count").name, "counts")
    }

    func testPatternIsSearchedAnywhere() throws {
        let schemas = try StorageSchemas.parse(text: "[mid]\npattern = load\nretentions = 10:100\n", fileName: "s.conf")
        XCTAssertEqual(schemas.match("servers.web1.loadavg").name, "mid")
        XCTAssertEqual(schemas.match("servers.web1.cpu").name, "default")
        let anchored = try StorageSchemas.parse(text: "[a]\npattern = ^stats\\.\nretentions = 10:100\n", fileName: "s.conf")
        XCTAssertEqual(anchored.match("x.stats.y").name, "default")
        XCTAssertEqual(anchored.match("statsXy").name, "default")
        XCTAssertEqual(anchored.match("stats.y").name, "a")
    }

    func testImplicitDefaultAfterAllSections() throws {
        let empty = try StorageSchemas.parse(text: "", fileName: "s.conf")
        XCTAssertEqual(empty.schemas, [])
        XCTAssertEqual(empty.match("anything.at.all"),
                       StorageSchema(name: "default", pattern: nil, archives: archives([(60, 10080)])))
        let some = try StorageSchemas.parse(text: shipped, fileName: "s.conf")
        XCTAssertEqual(some.match("servers.web1.cpu").archives, archives([(60, 10080)]))
        XCTAssertNil(some.match("servers.web1.cpu").pattern)
    }

    func testArchivesAreSortedByPrecision() throws {
        let schemas = try StorageSchemas.parse(text: "[a]\npattern = .\nretentions = 1m:7d, 10s:6h\n", fileName: "s.conf")
        XCTAssertEqual(schemas.match("x").archives, archives([(10, 2160), (60, 10080)]))
    }

    func testSectionWhisperRefusesIsSkippedWithWarning() throws {
        let text = """
            [bad steps]
            pattern = ^a\\.
            retentions = 60:100,90:100

            [a]
            pattern = ^a\\.
            retentions = 1:5
            """
        let schemas = try StorageSchemas.parse(text: text, fileName: "s.conf")
        XCTAssertEqual(schemas.schemas.map(\.name), ["a"])
        XCTAssertEqual(schemas.match("a.b").name, "a")
        XCTAssertEqual(schemas.warnings.count, 1)
        XCTAssertTrue(schemas.warnings[0].hasPrefix(
            "Invalid schemas found in bad steps: invalid archive configuration: Higher precision archives' precision must evenly divide"),
            schemas.warnings[0])
    }

    func testZeroPointsFromAShortSpanIsSkippedNotFatal() throws {
        let schemas = try StorageSchemas.parse(text: "[z]\npattern = .\nretentions = 10s:5s\n", fileName: "s.conf")
        XCTAssertEqual(schemas.schemas, [])
        XCTAssertEqual(schemas.warnings,
                       ["Invalid schemas found in z: invalid archive configuration: archive0 (10, 0): precision and points must both be positive"])
    }

    func testSectionsMissingKeysAreSkippedWithWarnings() throws {
        let text = """
            [no retentions]
            pattern = x

            [no pattern]
            retentions = 60:1440

            [empty pattern]
            pattern =
            retentions = 60:1440

            [ok]
            pattern = x
            retentions = 10:10
            """
        let schemas = try StorageSchemas.parse(text: text, fileName: "s.conf")
        XCTAssertEqual(schemas.schemas.map(\.name), ["ok"])
        XCTAssertEqual(schemas.warnings, [
            "Schema no retentions missing 'retentions', skipping",
            "Section missing 'pattern': no pattern",
            "Section missing 'pattern': empty pattern",
        ])
    }

    func testMalformedRetentionIsAnErrorNamingFileSectionAndValue() {
        let error = parseError("[ok]\npattern = .\nretentions = 60:1440\n\n[Minutes]\npattern = x\nretentions = 10s:6h,1min:1d\n")
        XCTAssertEqual(error, .invalidValue(file: "/etc/carbon/storage-schemas.conf", section: "Minutes", key: "retentions",
                                           value: "10s:6h,1min:1d", reason: "Invalid unit 'min'"))
        XCTAssertEqual(error?.description,
                       "Invalid retentions '10s:6h,1min:1d' in section [Minutes] in /etc/carbon/storage-schemas.conf: Invalid unit 'min'")
        XCTAssertEqual(parseError("[m]\npattern = x\nretentions = 1M:1d\n"),
                       .invalidValue(file: "/etc/carbon/storage-schemas.conf", section: "m", key: "retentions",
                                     value: "1M:1d", reason: "Invalid precision specification '1M'"))
        XCTAssertEqual(parseError("[d]\npattern = x\nretentions = 60:1D\n"),
                       .invalidValue(file: "/etc/carbon/storage-schemas.conf", section: "d", key: "retentions",
                                     value: "60:1D", reason: "Invalid retention specification '1D'"))
    }

    func testMalformedRetentionIsFatalEvenWithoutPattern() {
        // carbon parses retentions before looking at the pattern.
        XCTAssertEqual(parseError("[p]\nretentions = 1D\n"),
                       .invalidValue(file: "/etc/carbon/storage-schemas.conf", section: "p", key: "retentions",
                                     value: "1D", reason: "Invalid retention definition '1D'"))
    }

    func testPatternThatDoesNotCompileIsAnError() {
        guard case let .invalidValue(file, section, key, value, _)? = parseError("[r]\npattern = a(\nretentions = 1:2\n") else {
            return XCTFail("expected an invalid pattern error")
        }
        XCTAssertEqual([file, section, key, value], ["/etc/carbon/storage-schemas.conf", "r", "pattern", "a("])
    }

    func testINIErrorsSurface() {
        XCTAssertEqual(parseError("[a]\npattern = x\n[a]\npattern = y\n"),
                       .syntax(file: "/etc/carbon/storage-schemas.conf", line: 3, reason: "section 'a' already exists"))
    }

    func testKeysAreCaseInsensitive() throws {
        let schemas = try StorageSchemas.parse(text: "[a]\nPATTERN = ^a$\nRetentions = 1s:1m\n", fileName: "s.conf")
        XCTAssertEqual(schemas.match("a").archives, archives([(1, 60)]))
    }

    func testLoadReadsTheFileAndRefusesAMissingOne() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/storage-schemas.conf"
        try Data(shipped.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try StorageSchemas.load(path: path).schemas.map(\.name), ["carbon", "stats", "counts"])
        XCTAssertThrowsError(try StorageSchemas.load(path: directory + "/absent.conf")) { error in
            XCTAssertEqual(error as? StorageConfigError, .unreadable(file: directory + "/absent.conf", errno: ENOENT))
        }
    }

    private func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("carbon-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}

/// The regular expressions rules use, searched like Python's `re.search`.
final class MetricPatternTests: XCTestCase {
    func testPythonSpellings() throws {
        XCTAssertTrue(try MetricPattern(#"\.(count|sum)$"#).matches("a.b.count"))
        XCTAssertFalse(try MetricPattern(#"\.(count|sum)$"#).matches("a.b.counts"))
        XCTAssertTrue(try MetricPattern(#"^(?P<top>[^.]+)\.cpu"#).matches("web1.cpu.user"))
        XCTAssertTrue(try MetricPattern("(?i)CPU").matches("web1.cpu"))
        XCTAssertFalse(try MetricPattern("CPU").matches("web1.cpu"))
        XCTAssertTrue(try MetricPattern(#"^(?!carbon\.)"#).matches("stats.x"))
        XCTAssertFalse(try MetricPattern(#"^(?!carbon\.)"#).matches("carbon.x"))
    }

    func testUnsupportedExpressionIsRefused() {
        XCTAssertThrowsError(try MetricPattern("(?<=a)b"))
        XCTAssertThrowsError(try MetricPattern("["))
    }

    func testEqualityIsBySource() throws {
        XCTAssertEqual(try MetricPattern("a.b"), try MetricPattern("a.b"))
        XCTAssertNotEqual(try MetricPattern("a.b"), try MetricPattern("a\\.b"))
        XCTAssertEqual(try MetricPattern("x+").description, "x+")
    }
}
