import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// The INI subset carbon's storage files use (Python ConfigParser + carbon's section order).
final class OrderedINITests: XCTestCase {
    private func sections(_ text: String) throws -> [OrderedINI.Section] {
        try OrderedINI(text: text, fileName: "test.conf").sections
    }

    private func syntaxError(_ text: String) -> StorageConfigError? {
        do {
            _ = try OrderedINI(text: text, fileName: "test.conf")
            return nil
        } catch {
            return error
        }
    }

    func testSectionsInFileOrderWithLowerCasedKeys() throws {
        let text = """
            # leading comment
            [zeta]
            Pattern = ^z\\.
            RETENTIONS: 60:1440

            ; another comment
            [alpha one]
            pattern=a
              # indented comment
            xFilesFactor =   0.25\t
            """
        XCTAssertEqual(try sections(text), [
            .init(name: "zeta", line: 2, values: ["pattern": "^z\\.", "retentions": "60:1440"]),
            .init(name: "alpha one", line: 7, values: ["pattern": "a", "xfilesfactor": "0.25"]),
        ])
    }

    func testSplitsAtTheFirstDelimiterOfEitherKind() throws {
        XCTAssertEqual(try sections("[s]\nretentions = 10s:6h\nkey: a=b\n")[0].values,
                       ["retentions": "10s:6h", "key": "a=b"])
    }

    func testValuesMayBeEmpty() throws {
        XCTAssertEqual(try sections("[s]\npattern =\n")[0].values, ["pattern": ""])
    }

    func testIndentedLinesContinueAValue() throws {
        let text = "[s]\nretentions = 10s:6h,\n    1m:7d\n\npattern = x\n"
        XCTAssertEqual(try sections(text)[0].values, ["retentions": "10s:6h,\n1m:7d", "pattern": "x"])
    }

    func testIndentedKeysAfterAHeaderAreKeys() throws {
        XCTAssertEqual(try sections("[s]\n  pattern = x\n  retentions = 1:2\n")[0].values,
                       ["pattern": "x", "retentions": "1:2"])
    }

    func testWindowsAndOldMacLineEnds() throws {
        XCTAssertEqual(try sections("[a]\r\npattern = x\r\n[b]\rpattern = y\r").map(\.values),
                       [["pattern": "x"], ["pattern": "y"]])
    }

    func testHeaderRunsToTheLastBracket() throws {
        XCTAssertEqual(try sections("[a [b]] tail\nk = v\n").map(\.name), ["a [b]"])
    }

    func testStructuralErrors() {
        XCTAssertEqual(syntaxError("pattern = x\n"),
                       .syntax(file: "test.conf", line: 1, reason: "file contains no section headers: 'pattern = x'"))
        XCTAssertEqual(syntaxError("[a]\nk = 1\n[b]\n[a]\n"),
                       .syntax(file: "test.conf", line: 4, reason: "section 'a' already exists"))
        XCTAssertEqual(syntaxError("[a]\nK = 1\nk = 2\n"),
                       .syntax(file: "test.conf", line: 3, reason: "key 'k' already exists in section 'a'"))
        XCTAssertEqual(syntaxError("[a]\njust words\n"),
                       .syntax(file: "test.conf", line: 2, reason: "not a section header or key = value: 'just words'"))
        XCTAssertEqual(syntaxError("[a]\n= v\n"),
                       .syntax(file: "test.conf", line: 2, reason: "empty key: '= v'"))
        XCTAssertEqual(syntaxError("[]\n"),
                       .syntax(file: "test.conf", line: 1, reason: "file contains no section headers: '[]'"))
    }

    func testSectionNamesAreCaseSensitive() throws {
        XCTAssertEqual(try sections("[a]\n[A]\n").map(\.name), ["a", "A"])
    }
}
