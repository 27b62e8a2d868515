import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// Metric name → whisper file path (docs/carbon.md §6), with Stoker's refusals.
final class MetricPathTests: XCTestCase {
    private func refusal(_ name: String, hashTaggedNames: Bool = true) -> MetricPathError? {
        do {
            _ = try MetricPath.relativePath(for: name, hashTaggedNames: hashTaggedNames)
            return nil
        } catch {
            return error
        }
    }

    func testPlainNamesBecomeDirectories() throws {
        XCTAssertEqual(try MetricPath.relativePath(for: "servers.web1.cpu"), "servers/web1/cpu.wsp")
        XCTAssertEqual(try MetricPath.relativePath(for: "single"), "single.wsp")
        XCTAssertEqual(try MetricPath.relativePath(for: "a/b.c"), "a/b/c.wsp")
        XCTAssertEqual(try MetricPath.relativePath(for: "a.~b"), "a/~b.wsp")
    }

    func testUntaggedTildeIsStripped() throws {
        XCTAssertEqual(try MetricPath.relativePath(for: "~foo.bar"), "foo/bar.wsp")
    }

    func testTaggedNamesAreHashedAfterNormalisation() throws {
        let expected = "_tagged/beb/fb1/bebfb1bf398e394d6319ba2102a3829371dd4e5dec4e5d0b387fe1bc758a61a1.wsp"
        XCTAssertEqual(try MetricPath.relativePath(for: "t.tagged;b=2;a=1"), expected)
        XCTAssertEqual(try MetricPath.relativePath(for: "t.tagged;a=1;b=2"), expected)
        XCTAssertEqual(try MetricPath.relativePath(for: "~t.tagged;a=1;b=2"), expected)
        XCTAssertEqual(try MetricPath.relativePath(for: #"t.tagged{b="2",a="1"}"#), expected)
    }

    func testUnparsableTaggedNameIsHashedAsReceived() throws {
        // sha256("t.tagbad;=x")
        XCTAssertEqual(try MetricPath.relativePath(for: "t.tagbad;=x"),
                       "_tagged/bb2/fcd/bb2fcd2ac44b951619683d9eef6453472cffca534f2772079428df72b5de0f3c.wsp")
    }

    func testReadableTaggedFileNames() throws {
        XCTAssertEqual(try MetricPath.relativePath(for: "t.tagged;b=2;a=1", hashTaggedNames: false),
                       "_tagged/beb/fb1/t_DOT_tagged;a=1;b=2.wsp")
        // sha256("some.metric;a-b=1;a=1")
        XCTAssertEqual(try MetricPath.relativePath(for: "some.metric;a=1;a-b=1", hashTaggedNames: false),
                       "_tagged/1d9/cda/some_DOT_metric;a-b=1;a=1.wsp")
        // sha256("a.b;x=1.5"): dots in values become _DOT_ too.
        XCTAssertEqual(try MetricPath.relativePath(for: "a.b;x=1.5", hashTaggedNames: false),
                       "_tagged/1d5/3bf/a_DOT_b;x=1_DOT_5.wsp")
        // A `/` in the name makes a directory, as in carbon. sha256("x/y;a=1")
        XCTAssertEqual(try MetricPath.relativePath(for: "x/y;a=1", hashTaggedNames: false),
                       "_tagged/687/5fb/x/y;a=1.wsp")
    }

    func testHexDigest() {
        XCTAssertEqual(MetricPath.hexSHA256(Array("foo;a=b".utf8)),
                       "30e1531950ecc8585d5f735fe80779003e95c2626e8db8610c8089735e25ce36")
        XCTAssertEqual(MetricPath.hexSHA256([]),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testRefusals() {
        XCTAssertEqual(refusal(""), .emptyName)
        XCTAssertEqual(refusal("a..b"), .emptyComponent(name: "a..b"))
        XCTAssertEqual(refusal(".a.b"), .emptyComponent(name: ".a.b"))
        XCTAssertEqual(refusal("a.b."), .emptyComponent(name: "a.b."))
        XCTAssertEqual(refusal(".."), .emptyComponent(name: ".."))
        XCTAssertEqual(refusal("a//b"), .emptyComponent(name: "a//b"))
        XCTAssertEqual(refusal("/etc.passwd"), .absolute(name: "/etc.passwd"))
        // Every `.` becomes `/`, so `..` can only ever show up as empty components.
        XCTAssertEqual(refusal("a/../../etc"), .emptyComponent(name: "a/../../etc"))
        XCTAssertEqual(refusal("a/./b"), .emptyComponent(name: "a/./b"))
        XCTAssertEqual(refusal("a\u{0}b"), .containsNUL(name: "a\u{0}b"))
        XCTAssertEqual(refusal("a;b=\u{0}"), .containsNUL(name: "a;b=\u{0}"))
    }

    func testRefusalsInReadableTaggedNames() {
        XCTAssertEqual(refusal("/x;a=1", hashTaggedNames: false), .absolute(name: "/x;a=1"))
        XCTAssertEqual(refusal("x//y;a=1", hashTaggedNames: false), .emptyComponent(name: "x//y;a=1"))
        XCTAssertEqual(refusal("x;a=1/", hashTaggedNames: false), .emptyComponent(name: "x;a=1/"))
        XCTAssertEqual(refusal("x\u{0};a=1", hashTaggedNames: false), .containsNUL(name: "x\u{0};a=1"))
    }

    func testHashedTaggedNamesNeedNoComponentChecks() throws {
        // The hash path is always three fixed, well-formed levels.
        XCTAssertEqual(try MetricPath.relativePath(for: "a..b;x=1").split(separator: "/").count, 4)
        XCTAssertEqual(try MetricPath.relativePath(for: "/x;a=1").hasPrefix("_tagged/"), true)
    }

    func testJoinWithDataDirectory() throws {
        XCTAssertEqual(try MetricPath.filePath(for: "a.b", dataDirectory: "/var/lib/graphite/whisper"),
                       "/var/lib/graphite/whisper/a/b.wsp")
        XCTAssertEqual(try MetricPath.filePath(for: "a.b", dataDirectory: "/var/lib/graphite/whisper/"),
                       "/var/lib/graphite/whisper/a/b.wsp")
        XCTAssertEqual(try MetricPath.filePath(for: "a.b", dataDirectory: ""), "a/b.wsp")
        XCTAssertThrowsError(try MetricPath.filePath(for: "a..b", dataDirectory: "/d")) { error in
            XCTAssertEqual(error as? MetricPathError, .emptyComponent(name: "a..b"))
        }
    }

    func testErrorMessages() {
        XCTAssertEqual(MetricPathError.emptyComponent(name: "a..b").description,
                       "metric name \"a..b\" has an empty path component")
        XCTAssertEqual(MetricPathError.containsNUL(name: "a\u{0}").description,
                       "metric name \"a\\0\" contains a NUL byte")
    }
}
