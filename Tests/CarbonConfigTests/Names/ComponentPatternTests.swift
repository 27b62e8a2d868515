import XCTest
@testable import CarbonConfig

/// Component globs against the answers of graphite-web's own `match_entries` (brace
/// expansion, then Python's fnmatch), computed with Debian's graphite-web 1.1.8 on Python 3.11
/// for these names and pasted here: the edge cases of fnmatch's set syntax are where a
/// re-implementation goes wrong.
final class ComponentPatternTests: XCTestCase {
    let names = ["cpu", "cpu0", "cpu1", "cpu10", "mem", "Mem", "-", "]", "!", "a-b", "a]b", "x{y", "é", "éa", "b", "c",
                 "z", "[", "[a", "ab", "abc"]

    let graphiteWebAnswers: [(String, [String])] = [
        ("cpu*", ["cpu", "cpu0", "cpu1", "cpu10"]),
        ("cpu?", ["cpu0", "cpu1"]),
        ("cpu[0-9]", ["cpu0", "cpu1"]),
        ("cpu[!0]", ["cpu1"]),
        ("[]]", ["]"]),
        ("[!]]", ["-", "!", "é", "b", "c", "z", "["]),
        ("[-]", ["-"]),
        ("[a-]", ["-"]),
        ("[z-a]", []),
        ("[!z-a]", ["-", "]", "!", "é", "b", "c", "z", "["]),
        ("a[-]b", ["a-b"]),
        ("[", ["["]),
        ("[a", ["[a"]),
        ("*[", ["["]),
        ("x{y", ["x{y"]),
        ("{cpu,mem}", ["cpu", "mem"]),
        ("{cpu,mem}*", ["cpu", "cpu0", "cpu1", "cpu10", "mem"]),
        ("{a,{b,c}}", ["b", "c"]),
        ("*", ["cpu", "cpu0", "cpu1", "cpu10", "mem", "Mem", "-", "]", "!", "a-b", "a]b", "x{y", "é", "éa", "b", "c", "z", "[", "[a", "ab", "abc"]),
        ("?", ["-", "]", "!", "é", "b", "c", "z", "["]),
        ("??", ["éa", "[a", "ab"]),
        ("é", ["é"]),
        ("?a", ["éa", "[a"]),
        ("[é]", ["é"]),
        ("[a-c]", ["b", "c"]),
        ("[!a-c]", ["-", "]", "!", "é", "z", "["]),
        ("[a-b-c]", ["-", "b", "c"]),
        ("a*b*c", ["abc"]),
        ("*b*", ["a-b", "a]b", "b", "ab", "abc"]),
        ("[!]", []),
        ("[^a]", []),
        ("[[]", ["["]),
        ("[[a]", ["["]),
    ]

    func testMatchesWhatGraphiteWebMatches() throws {
        for (pattern, expected) in graphiteWebAnswers {
            let compiled = try ComponentPattern(Array(pattern.utf8))
            let matched = names.filter { compiled.matches(Array($0.utf8)) }
            XCTAssertEqual(matched, expected, "pattern \(pattern)")
        }
    }

    func testBracesExpandInnermostFirstAndKeepEachResultOnce() throws {
        let variants = try BraceExpansion.expand(Array("{a,{b,c}}x{1,2}".utf8), limit: 100).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(Set(variants), ["ax1", "ax2", "bx1", "bx2", "cx1", "cx2"])
        XCTAssertEqual(variants.count, 6)
    }

    func testExactComponentsAreLookedUpNotScanned() throws {
        XCTAssertEqual(try ComponentPattern(Array("{cpu,mem}".utf8)).exactNames?.map { String(decoding: $0, as: UTF8.self) }.sorted(), ["cpu", "mem"])
        XCTAssertNil(try ComponentPattern(Array("cpu*".utf8)).exactNames)
        XCTAssertTrue(try ComponentPattern(Array("**".utf8)).isGlobstar)
    }

    func testBraceExplosionIsRefusedNotComputed() {
        let pattern = String(repeating: "{a,b}", count: 30)
        XCTAssertThrowsError(try ComponentPattern(Array(pattern.utf8), variantLimit: 1024)) { error in
            XCTAssertEqual(error as? GlobError, .tooManyVariants(limit: 1024))
        }
    }

    func testPathPatternRemovesBackslashesAndSplitsOnEveryDot() throws {
        let pattern = try PathPattern("a\\.b.{c.d,e}")
        XCTAssertEqual(pattern.components.count, 4)
        XCTAssertThrowsError(try PathPattern(String(repeating: "a.", count: 300) + "a")) { error in
            XCTAssertEqual(error as? GlobError, .tooManyComponents(limit: 256))
        }
    }
}
