import CarbonConfig
import XCTest
@testable import ReadCore

final class MetricNameTreeTests: XCTestCase {
    func tree(_ leaves: [String], cacheOnly: [String] = []) -> MetricNameTree {
        let tree = MetricNameTree()
        tree.insert(leaves.map { (Array($0.utf8), NameKinds.leafOnDisk) } + cacheOnly.map { (Array($0.utf8), NameKinds.leafInCache) })
        return tree
    }

    func find(_ tree: MetricNameTree, _ query: String, limit: Int = 1000) throws -> [String] {
        try tree.find(PathPattern(query), limit: limit).sorted(by: FindMatch.byPath).map { ($0.isLeaf ? "leaf " : "branch ") + $0.path }
    }

    func testLeavesBranchesAndANameThatIsBoth() throws {
        let t = tree(["a.b", "a.b.c", "a.d", "x.y.z"])
        XCTAssertEqual(try find(t, "a.*"), ["branch a.b", "leaf a.b", "leaf a.d"])
        XCTAssertEqual(try find(t, "*"), ["branch a", "branch x"])
        XCTAssertEqual(try find(t, "a.b.c"), ["leaf a.b.c"])
        XCTAssertEqual(try find(t, "a.{b,d,q}"), ["branch a.b", "leaf a.b", "leaf a.d"])
        XCTAssertEqual(try find(t, "nothing.here"), [])
        XCTAssertEqual(t.leafCount, 4)
    }

    func testGlobstarMatchesAnyDepthAsGraphiteWebsFinderDoes() throws {
        let t = tree(["a.b", "a.b.c", "a.d", "x.y.z"])
        XCTAssertEqual(try find(t, "a.**"), ["branch a.b", "leaf a.b", "leaf a.b.c", "leaf a.d"])
        XCTAssertEqual(try find(t, "**.z"), ["leaf x.y.z"])
        XCTAssertEqual(try find(t, "**").filter { $0.hasPrefix("leaf") }, ["leaf a.b", "leaf a.b.c", "leaf a.d", "leaf x.y.z"])
    }

    func testCacheOnlyNamesAreLeavesNotOnDisk() throws {
        let t = tree(["a.b"], cacheOnly: ["a.new"])
        let matches = try t.find(PathPattern("a.*"), limit: 10).sorted(by: FindMatch.byPath)
        XCTAssertEqual(matches, [FindMatch(path: "a.b", isLeaf: true, onDisk: true), FindMatch(path: "a.new", isLeaf: true, onDisk: false)])
        t.note(Array("a.new".utf8), as: .leafOnDisk)
        XCTAssertEqual(try t.find(PathPattern("a.new"), limit: 10), [FindMatch(path: "a.new", isLeaf: true, onDisk: true)])
        XCTAssertEqual(t.leafCount, 2)
    }

    func testTooManyLeavesIsRefused() throws {
        let t = tree((0..<50).map { "m.n\($0)" })
        XCTAssertEqual(try t.find(PathPattern("m.*"), limit: 50).count, 50)
        XCTAssertThrowsError(try t.find(PathPattern("m.*"), limit: 49)) { error in
            XCTAssertEqual(error as? QueryError, .tooManySeries(limit: 49))
        }
    }

    func testAnExpiredDeadlineStopsALongWalk() throws {
        let t = tree((0..<10_000).map { "m.n\($0)" })
        let later = Deadline(seconds: 0.5, clock: ClockStub(times: [0, 10]).next)
        XCTAssertThrowsError(try t.find(PathPattern("m.*"), limit: .max, deadline: later)) { error in
            XCTAssertEqual(error as? QueryError, .timedOut(seconds: 0.5))
        }
    }

    func testScanOfADataDirectory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tree-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in ["a/b/c.wsp", "a/d.wsp", "a/.hidden.wsp", "a/notes.txt", "empty/.keep"] {
            let path = root + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        try FileManager.default.createDirectory(atPath: root + "/.wal", withIntermediateDirectories: true)
        let t = MetricNameTree()
        let progress = DataDirectoryScan.run(root: root, into: t)
        XCTAssertEqual(progress.leaves, 2)
        XCTAssertEqual(try find(t, "*"), ["branch a", "branch empty"])
        XCTAssertEqual(try find(t, "a.*"), ["branch a.b", "leaf a.d"])
        XCTAssertEqual(try find(t, "a.b.c"), ["leaf a.b.c"])
        XCTAssertEqual(DataDirectoryScan.run(root: root + "/missing", into: MetricNameTree()).leaves, 0)
    }
}

/// A clock that answers the given times in turn, then the last one.
final class ClockStub: @unchecked Sendable {
    var times: [Double]
    init(times: [Double]) { self.times = times }
    func next() -> Double { times.count > 1 ? times.removeFirst() : times[0] }
}
