import NameBytes
import XCTest

final class NameTableTests: XCTestCase {
    func testIdsAreDenseInInsertionOrderAndSurviveGrowth() {
        var table = NameTable()
        let names = [""] + (0..<5000).map { "servers.host\($0).cpu.user.with.a.longer.tail" } + (0..<3000).map { "k\($0)" }
        for (i, name) in names.enumerated() { XCTAssertEqual(table.insert(name), i) }
        XCTAssertEqual(table.count, names.count)
        for (i, name) in names.enumerated() {
            XCTAssertEqual(table.find(name), i, name)
            XCTAssertEqual(table.name(i), name)
        }
        XCTAssertNil(table.find("servers.host1.cpu"))
        XCTAssertEqual(table.arenaByteCount, names.reduce(0) { $0 + $1.utf8.count })
    }

    func testWithNameGivesTheBytesAndTheHashAnotherTableFindsThemBy() {
        var a = NameTable(), b = NameTable()
        for name in ["alpha", "beta", ""] { _ = a.insert(name) }
        for id in 0..<a.count {
            a.withName(id) { p, n, hash in
                XCTAssertEqual(hash, NameHash.hash(p, n))
                XCTAssertNil(b.find(p, n, hash: hash))
                XCTAssertEqual(b.insert(p, n, hash: hash), id)
            }
        }
        XCTAssertEqual((0..<b.count).map(b.name), ["alpha", "beta", ""])
    }

    func testCompactKeepsOrderAndMapsOldIdsToNew() {
        var table = NameTable()
        let names = (0..<100).map { "m\($0)" }
        for name in names { _ = table.insert(name) }
        let mapping = table.compact { $0 % 3 == 0 }
        XCTAssertEqual(mapping.count, 100)
        for old in 0..<100 {
            XCTAssertEqual(mapping[old], old % 3 == 0 ? old / 3 : -1)
            XCTAssertEqual(table.find(names[old]), old % 3 == 0 ? old / 3 : nil)
        }
        XCTAssertEqual(NameTable.compacted(Array(0..<100), by: mapping), Array(stride(from: 0, to: 100, by: 3)))
        // The compacted table takes new names after the kept ones.
        XCTAssertEqual(table.insert("new"), 34)
        XCTAssertEqual(table.find("new"), 34)
    }

    func testRemoveWhereReturnsTheNamesAndNothingWhenNoneMatch() {
        var table = NameTable()
        for name in ["a.x", "b.y", "a.z"] { _ = table.insert(name) }
        XCTAssertNil(table.remove { $0.hasPrefix("c") })
        XCTAssertEqual(table.count, 3)
        let removed = table.remove { $0.hasPrefix("a.") }
        XCTAssertEqual(removed?.names, ["a.x", "a.z"])
        XCTAssertEqual(removed?.mapping, [-1, 0, -1])
        XCTAssertEqual(table.find("b.y"), 0)
        XCTAssertNil(table.find("a.x"))
    }

    func testRemoveAllForgetsEveryNameAndStartsIdsAgain() {
        var table = NameTable()
        for i in 0..<50 { _ = table.insert("n\(i)") }
        table.removeAll()
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table.find("n1"))
        XCTAssertEqual(table.insert("n7"), 0)
        XCTAssertEqual(table.find("n7"), 0)
        XCTAssertNil(table.find("n1"))
    }

    /// Names with equal hashes (forced here) are told apart by their bytes, and one that is a
    /// prefix of another is not mistaken for it.
    func testEqualHashesAreToldApartByBytes() {
        var table = NameTable()
        let names = ["same", "same.longer", "sam", "emas"]
        for (i, name) in names.enumerated() {
            var copy = name
            XCTAssertEqual(copy.withUTF8 { table.insert($0.baseAddress!, $0.count, hash: 42) }, i)
        }
        for (i, name) in names.enumerated() {
            var copy = name
            XCTAssertEqual(copy.withUTF8 { table.find($0.baseAddress!, $0.count, hash: 42) }, i)
        }
        var absent = "sa"
        XCTAssertNil(absent.withUTF8 { table.find($0.baseAddress!, $0.count, hash: 42) })
        XCTAssertEqual(table.touch(hash: 42), 42)
    }
}
