import XCTest
import Whisper
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// storage-aggregation.conf (docs/carbon.md §9).
final class StorageAggregationTests: XCTestCase {
    private let file = "/etc/carbon/storage-aggregation.conf"

    private func parse(_ text: String) throws(StorageConfigError) -> StorageAggregation {
        try StorageAggregation.parse(text: text, fileName: file)
    }

    private func parseError(_ text: String) -> StorageConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    func testFirstMatchingSectionDecides() throws {
        let rules = try parse("""
            [min]
            pattern = \\.lower$
            xFilesFactor = 0.1
            aggregationMethod = min

            [sum]
            pattern = \\.count$
            xFilesFactor = 0
            aggregationMethod = sum

            [all]
            pattern = .*
            xFilesFactor = 0.3
            aggregationMethod = max
            """)
        XCTAssertEqual(rules.rules.map(\.name), ["min", "sum", "all"])
        XCTAssertEqual(rules.match("stats.timers.api.lower"), AggregationPolicy(xFilesFactor: 0.1, method: .min))
        XCTAssertEqual(rules.match("stats.api.count"), AggregationPolicy(xFilesFactor: 0, method: .sum))
        XCTAssertEqual(rules.match("stats.api.lower.count"), AggregationPolicy(xFilesFactor: 0, method: .sum))
        XCTAssertEqual(rules.match("servers.cpu"), AggregationPolicy(xFilesFactor: 0.3, method: .max))
    }

    func testMissingKeysTakeWhisperDefaultsNotLaterSections() throws {
        let rules = try parse("""
            [only xff]
            pattern = ^a\\.
            xFilesFactor = 0

            [only method]
            pattern = ^b\\.
            aggregationMethod = last

            [neither]
            pattern = ^c\\.

            [fallback]
            pattern = .
            xFilesFactor = 1
            aggregationMethod = sum
            """)
        XCTAssertEqual(rules.match("a.x"), AggregationPolicy(xFilesFactor: 0, method: .average))
        XCTAssertEqual(rules.match("b.x"), AggregationPolicy(xFilesFactor: 0.5, method: .last))
        XCTAssertEqual(rules.match("c.x"), AggregationPolicy(xFilesFactor: 0.5, method: .average))
        XCTAssertEqual(rules.match("d.x"), AggregationPolicy(xFilesFactor: 1, method: .sum))
    }

    func testNoMatchingSectionMeansBothDefaults() throws {
        let rules = try parse("[a]\npattern = ^a\\.\naggregationMethod = sum\n")
        XCTAssertEqual(rules.match("b.a.x"), AggregationPolicy(xFilesFactor: 0.5, method: .average))
        XCTAssertEqual(try parse("").match("x"), .whisperDefault)
        XCTAssertEqual(AggregationPolicy.whisperDefault, AggregationPolicy(xFilesFactor: 0.5, method: .average))
    }

    func testAllEightMethodNames() throws {
        let names = ["average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin"]
        let text = names.map { "[\($0)]\npattern = ^\($0)$\naggregationMethod = \($0)\n" }.joined(separator: "\n")
        let rules = try parse(text)
        XCTAssertEqual(names.map { rules.match($0).method },
                       [.average, .sum, .last, .max, .min, .avgZero, .absmax, .absmin])
    }

    func testUnknownMethodIsAnErrorNamingFileSectionAndValue() {
        let error = parseError("[m]\npattern = x\naggregationMethod = median\n")
        XCTAssertEqual(error, .invalidValue(
            file: file, section: "m", key: "aggregationMethod", value: "median",
            reason: "must be one of average, sum, last, max, min, avg_zero, absmax, absmin"))
        XCTAssertEqual(error?.description,
                       "Invalid aggregationMethod 'median' in section [m] in /etc/carbon/storage-aggregation.conf: must be one of average, sum, last, max, min, avg_zero, absmax, absmin")
        // Names are exact and lower case, as in whisper.
        XCTAssertEqual(parseError("[m]\npattern = x\naggregationMethod = Sum\n"), .invalidValue(
            file: file, section: "m", key: "aggregationMethod", value: "Sum",
            reason: "must be one of average, sum, last, max, min, avg_zero, absmax, absmin"))
        XCTAssertEqual(parseError("[m]\npattern = x\naggregationMethod = avg\n"), .invalidValue(
            file: file, section: "m", key: "aggregationMethod", value: "avg",
            reason: "must be one of average, sum, last, max, min, avg_zero, absmax, absmin"))
    }

    func testXFilesFactorRange() throws {
        XCTAssertEqual(try parse("[a]\npattern = x\nxFilesFactor = 0\n").match("x").xFilesFactor, 0)
        XCTAssertEqual(try parse("[a]\npattern = x\nxFilesFactor = 1.0\n").match("x").xFilesFactor, 1)
        XCTAssertEqual(try parse("[a]\npattern = x\nxFilesFactor = 5e-1\n").match("x").xFilesFactor, 0.5)
        XCTAssertEqual(try parse("[a]\npattern = x\nxFilesFactor = .25\n").match("x").xFilesFactor, 0.25)
        for value in ["1.01", "-0.1", "2", "nan", "inf"] {
            XCTAssertEqual(parseError("[high]\npattern = x\nxFilesFactor = \(value)\n"), .invalidValue(
                file: file, section: "high", key: "xFilesFactor", value: value, reason: "must be between 0 and 1"), value)
        }
        XCTAssertEqual(parseError("[high]\npattern = x\nxFilesFactor = 1.5\n")?.description,
                       "Invalid xFilesFactor '1.5' in section [high] in /etc/carbon/storage-aggregation.conf: must be between 0 and 1")
    }

    func testNonNumericXFilesFactorSkipsTheSectionWithWarning() throws {
        for value in ["half", "", "0x1p-1", "0,5"] {
            let rules = try parse("[words]\npattern = x\nxFilesFactor = \(value)\naggregationMethod = sum\n\n[next]\npattern = x\naggregationMethod = max\n")
            XCTAssertEqual(rules.rules.map(\.name), ["next"], value)
            XCTAssertEqual(rules.warnings, ["Invalid schemas found in words."], value)
            XCTAssertEqual(rules.match("x"), AggregationPolicy(xFilesFactor: 0.5, method: .max), value)
        }
    }

    func testNonNumericXFilesFactorWinsOverAnUnknownMethod() throws {
        // carbon checks xFilesFactor first; its ValueError skips the section before the method is seen.
        let rules = try parse("[w]\npattern = x\nxFilesFactor = half\naggregationMethod = median\n")
        XCTAssertEqual(rules.rules, [])
        XCTAssertEqual(rules.warnings, ["Invalid schemas found in w."])
    }

    func testPatternIsRequired() {
        XCTAssertEqual(parseError("[p]\nxFilesFactor = 0\n"), .invalidValue(
            file: file, section: "p", key: "pattern", value: "", reason: "a pattern is required"))
    }

    func testPatternIsSearchedUnanchored() throws {
        let rules = try parse("[s]\npattern = upper\naggregationMethod = max\n")
        XCTAssertEqual(rules.match("stats.timers.x.upper_90").method, .max)
        XCTAssertEqual(rules.match("stats.timers.x.mean").method, .average)
    }

    func testMissingFileMeansDefaultsWithAWarning() throws {
        let path = "/nonexistent-\(UUID().uuidString)/storage-aggregation.conf"
        let rules = try StorageAggregation.load(path: path)
        XCTAssertEqual(rules.rules, [])
        XCTAssertEqual(rules.match("x"), .whisperDefault)
        XCTAssertEqual(rules.warnings,
                       ["\(path): cannot read: No such file or directory (errno 2); using whisper's defaults"])
    }

    func testLoadParsesAnExistingFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("carbon-aggregation-\(UUID().uuidString).conf")
        try Data("[c]\npattern = \\.count$\nxFilesFactor = 0\naggregationMethod = sum\n".utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try StorageAggregation.load(path: url.path).match("a.count"), AggregationPolicy(xFilesFactor: 0, method: .sum))
    }
}
