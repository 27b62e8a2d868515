import XCTest
@testable import StatsdCore

/// A flush in two parts (`prepareFlush` under the state's lock, `compute` without it) gives
/// exactly what one flush gives, and the state is free for the next interval in between: an
/// admin command or new samples never wait for the maths and never leak into the flush taken.
final class PreparedFlushTests: XCTestCase {
    func traffic(_ h: inout StatsdHarness) {
        h.send("req:1|c", "req:3|c|@0.5", "lat:10|ms", "lat:30|ms", "lat:20|ms|@0.1", "g:5|g", "s:a|s", "s:b|s")
    }

    func testTwoPartsEqualOneFlushAndTheStateIsFreeBetweenThem() {
        var whole = StatsdHarness()
        traffic(&whole)
        _ = whole.flush(at: 2_000)
        traffic(&whole)
        let expected = whole.flush(at: 2_010)

        var split = StatsdHarness()
        traffic(&split)
        _ = split.flush(at: 2_000)
        traffic(&split)
        split.state.absorb(&split.reader)
        let prepared = split.state.prepareFlush(timestamp: 2_010)
        // Between the parts: the next interval's samples and an admin command run on the state.
        split.send("req:100|c", "lat:999|ms")
        _ = AdminCommands.respond(toLine: "delcounters req", state: &split.state, now: 2_011)
        XCTAssertEqual(prepared.compute(clock: { 0 }), expected)
        XCTAssertNil(split.state.table.counter("req"), "the admin command acted on the live state")
        XCTAssertEqual(split.state.table.timer("lat")?.values, [999], "new samples went to the next interval")
    }
}
