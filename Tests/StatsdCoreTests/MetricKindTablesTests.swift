@testable import StatsdCore
import NameBytes
import XCTest

/// Each metric kind's own table: add, merge (with the key limit's room), reset and remove.
final class MetricKindTablesTests: XCTestCase {
    /// Runs `body` on a name as the parser hands it over: bytes, length, hash.
    private func named<R>(_ name: String, _ body: (UnsafeRawPointer, Int, UInt64) -> R) -> R {
        var copy = name
        return copy.withUTF8 { b in
            let p = UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return body(p, b.count, NameHash.hash(p, b.count))
        }
    }

    func testCountersAddLikeStatsdRefuseNewNamesWithoutRoomAndMergeWithinRoom() {
        var a = CounterTable()
        XCTAssertTrue(named("x") { a.add($0, $1, hash: $2, 2, mayInsert: true) })
        XCTAssertTrue(named("x") { a.add($0, $1, hash: $2, 3, mayInsert: false) })
        XCTAssertFalse(named("y") { a.add($0, $1, hash: $2, 1, mayInsert: false) })
        XCTAssertEqual(a.value("x"), 5)
        XCTAssertNil(a.value("y"))
        // NaN (a deleted internal counter incremented) restarts from 0 on the next sample.
        named("n") { a.set($0, $1, hash: $2, .nan) }
        _ = named("n") { a.add($0, $1, hash: $2, 4, mayInsert: true) }
        XCTAssertEqual(a.value("n"), 4)

        var b = CounterTable()
        for name in ["x", "p", "q", "r"] { _ = named(name) { b.add($0, $1, hash: $2, 1, mayInsert: true) } }
        XCTAssertEqual(a.merge(b, room: 2), 1)
        XCTAssertEqual(a.all.map(\.name), ["x", "n", "p", "q"])
        XCTAssertEqual(a.value("x"), 6)

        a.reset(deleting: false)
        XCTAssertEqual(a.all.map(\.value), [0, 0, 0, 0])
        _ = named("my.packets_received") { a.add($0, $1, hash: $2, 1, mayInsert: true) }
        a.reset(deleting: true)
        XCTAssertEqual(a.all.map(\.name), ["my.packets_received"])
        XCTAssertEqual(a.remove { $0.hasPrefix("my.") }, ["my.packets_received"])
        XCTAssertEqual(a.count, 0)
    }

    func testTimersKeepArrivalOrderPerTimerAndDropTheSamplesOfRefusedNames() {
        var a = TimerTable()
        _ = named("t") { a.add($0, $1, hash: $2, 3, weight: 1, mayInsert: true) }
        _ = named("u") { a.add($0, $1, hash: $2, 9, weight: 10, mayInsert: true) }
        _ = named("t") { a.add($0, $1, hash: $2, 1, weight: 1, mayInsert: true) }
        var b = TimerTable()
        _ = named("new") { b.add($0, $1, hash: $2, 7, weight: 1, mayInsert: true) }
        _ = named("t") { b.add($0, $1, hash: $2, 2, weight: 2, mayInsert: true) }
        XCTAssertEqual(a.merge(b, room: 0), 1)
        XCTAssertEqual(a.timer("t")?.values, [3, 1, 2])
        XCTAssertEqual(a.timer("t")?.count, 4)
        XCTAssertNil(a.timer("new"))
        XCTAssertEqual(a.all.map(\.name), ["t", "u"])

        XCTAssertEqual(a.remove { $0 == "t" }, ["t"])
        XCTAssertEqual(a.timer("u")?.values, [9])
        XCTAssertEqual(a.sampleIDs, [0])
        a.reset(deleting: false)
        XCTAssertEqual(a.timer("u")?.values, [])
        XCTAssertEqual(a.timer("u")?.count, 0)
        a.reset(deleting: true)
        XCTAssertEqual(a.count, 0)
    }

    func testGaugesResolveDeltasAgainstTheMergedValueAndExpireByTTL() {
        var live = GaugeTable()
        named("g") { live.set($0, $1, hash: $2, 10) }
        var reader = GaugeTable()
        _ = named("g") { reader.apply($0, $1, hash: $2, 5, signed: true, mayInsert: true) }
        _ = named("g") { reader.apply($0, $1, hash: $2, -2, signed: true, mayInsert: true) }
        _ = named("h") { reader.apply($0, $1, hash: $2, -2, signed: true, mayInsert: true) }
        XCTAssertEqual(live.merge(reader, ttl: 2, room: 1), 0)
        XCTAssertEqual(live.value("g"), 13)
        XCTAssertEqual(live.value("h"), -2)

        live.expire()
        XCTAssertEqual(live.all.map(\.name), ["g", "h"])
        live.expire()
        XCTAssertEqual(live.count, 0)

        named("kept") { live.set($0, $1, hash: $2, 1) }  // no TTL: never expires
        live.expire()
        XCTAssertEqual(live.value("kept"), 1)
        XCTAssertEqual(live.remove { $0 == "kept" }, ["kept"])
    }

    func testSetsJoinMembersAndEmptyOrDeleteOnReset() {
        var a = SetTable()
        _ = named("s") { a.add($0, $1, hash: $2, member: SetMember("1"), mayInsert: true) }
        _ = named("proto") { a.add($0, $1, hash: $2, member: nil, mayInsert: true) }
        var b = SetTable()
        _ = named("s") { b.add($0, $1, hash: $2, member: SetMember("2"), mayInsert: true) }
        _ = named("extra") { b.add($0, $1, hash: $2, member: SetMember("x"), mayInsert: true) }
        XCTAssertEqual(a.merge(b, room: 0), 1)
        XCTAssertEqual(a.members("s"), ["1", "2"])
        XCTAssertEqual(a.members("proto"), [])
        a.reset(deleting: false)
        XCTAssertEqual(a.members("s"), [])
        XCTAssertEqual(a.remove { $0 == "proto" }, ["proto"])
        a.reset(deleting: true)
        XCTAssertEqual(a.count, 0)
    }
}
