import Foundation
import XCTest
@testable import ReadCore

/// The TagDB semantics on a small set (graphite-web's own database is compared query by query
/// in Tests/Integration/test_tags.py).
final class TagIndexTests: XCTestCase {
    func index() -> TagIndex {
        let index = TagIndex()
        for name in ["cpu;dc=eu;host=a", "cpu;host=b;dc=us", "mem;dc=eu;host=a;env=prod", "plain.name"] { index.add(name) }
        return index
    }

    func testExpressionsSelectThenFilterWithMissingTagsAsEmpty() throws {
        let tags = index()
        XCTAssertEqual(tags.count, 3, "a plain name is not a tagged series")
        XCTAssertEqual(try tags.find(["name=cpu"]), ["cpu;dc=eu;host=a", "cpu;dc=us;host=b"])
        XCTAssertEqual(try tags.find(["dc=eu", "env="]), ["cpu;dc=eu;host=a"])
        XCTAssertEqual(try tags.find(["dc=eu", "env!="]), ["mem;dc=eu;env=prod;host=a"])
        XCTAssertEqual(try tags.find(["host=~a|b", "name!=~^m"]), ["cpu;dc=eu;host=a", "cpu;dc=us;host=b"])
        XCTAssertEqual(try tags.find(["host=~b$"]), ["cpu;dc=us;host=b"])
        XCTAssertEqual(try tags.find(["host=~$b"]), [], "anchored at the start")
        XCTAssertThrowsError(try tags.find(["env="]), "one expression must not match the empty value")
        XCTAssertThrowsError(try tags.find(["bad"]))
        XCTAssertThrowsError(try tags.find(["x=~("]))
    }

    func testListingsAndAutocomplete() throws {
        let tags = index()
        XCTAssertEqual(try tags.tags(filter: nil, limit: nil), ["dc", "env", "host", "name"])
        XCTAssertEqual(try tags.tags(filter: "h", limit: nil), ["host"])
        XCTAssertEqual(try tags.values(of: "dc", filter: nil, limit: nil)?.map { "\($0.value):\($0.count)" }, ["eu:2", "us:1"])
        XCTAssertNil(try tags.values(of: "nope", filter: nil, limit: nil))
        XCTAssertEqual(try tags.autoCompleteTags(["name=cpu"], prefix: "", limit: 10), ["dc", "host"])
        XCTAssertEqual(try tags.autoCompleteValues(["dc=eu"], tag: "name", prefix: "", limit: 10), ["cpu", "mem"])
        XCTAssertEqual(try tags.autoCompleteValues([], tag: "host", prefix: "", limit: 1), ["a"])
        tags.remove("cpu;host=b;dc=us")
        XCTAssertEqual(try tags.find(["name=cpu"]), ["cpu;dc=eu;host=a"])
    }

    func testTheLogKeepsTheSeriesAcrossARestartAndIsCompacted() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tags-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = TagIndex(log: TagIndexLog(path: path))
        try first.load()
        first.add("a;x=1")
        first.add("b;x=2")
        first.add("a;x=1")
        first.remove("b;x=2")
        let second = TagIndex(log: TagIndexLog(path: path))
        try second.load()
        XCTAssertEqual(try second.find(["x!="]), ["a;x=1"])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "+a;x=1\n")
    }

    func testSeriesByTagTargets() throws {
        XCTAssertEqual(try SeriesByTag.expressions("seriesByTag('name=a', \"dc=~e.*\" )"), ["name=a", "dc=~e.*"])
        XCTAssertNil(try SeriesByTag.expressions("a.b.c"))
        XCTAssertThrowsError(try SeriesByTag.expressions("seriesByTag(name=a)"))
        XCTAssertThrowsError(try SeriesByTag.expressions("seriesByTag('a=b'"))
    }

    func testMultipartBodiesAsUrllib3SendsThem() {
        let body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\na;b=1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\nc;d=2\r\n--XyZ--\r\n".utf8)
        XCTAssertEqual(MultipartForm.boundary(contentType: "multipart/form-data; boundary=XyZ"), "XyZ")
        XCTAssertNil(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded"))
        XCTAssertEqual(MultipartForm.parse(body, boundary: "XyZ").all("path"), ["a;b=1", "c;d=2"])
    }
}
