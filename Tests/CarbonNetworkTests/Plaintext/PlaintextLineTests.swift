import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// docs/carbon.md §3: the observed plaintext table.
final class PlaintextLineTests: XCTestCase {
    private func parse(_ text: String) -> Result<PlaintextLine, PlaintextLine.Problem> {
        var copy = text
        return copy.withUTF8 { PlaintextLine.parse(UnsafeRawBufferPointer($0)) }
    }

    private func parseBytes(_ bytes: [UInt8]) -> Result<PlaintextLine, PlaintextLine.Problem> {
        bytes.withUnsafeBytes { PlaintextLine.parse($0) }
    }

    func testAcceptedShapes() throws {
        XCTAssertEqual(try parse("a.b 1 1700000000").get(), PlaintextLine(name: "a.b", value: 1, timestamp: 1_700_000_000))
        XCTAssertEqual(try parse("a.b\t9\t1700000000").get().value, 9)
        XCTAssertEqual(try parse("a.b    19    1700000000   ").get().value, 19)
        XCTAssertEqual(try parse("a.b 10 1700000000\r").get().timestamp, 1_700_000_000)
        XCTAssertEqual(try parse("a.b 1_000 1700000000").get().value, 1000)
        XCTAssertEqual(try parse("a.b 1e3 1700000000").get().value, 1000)
        XCTAssertEqual(try parse("a.b inf 1700000000").get().value, .infinity)
        XCTAssertEqual(try parse("a.b -Infinity 1700000000").get().value, -.infinity)
        XCTAssertTrue(try parse("a.b nan 1700000000").get().value.isNaN)
        XCTAssertEqual(try parse("a.b 5 -1").get().timestamp, -1)
        XCTAssertEqual(try parse("a.b 6 -1.5").get().timestamp, -1.5)
        XCTAssertEqual(try parse("a.b .5 1.").get().value, 0.5)
        XCTAssertEqual(try parse("a.uni.é 1 1700000000").get().name, "a.uni.é")
        XCTAssertEqual(try parse("a.b\u{a0}1\u{a0}1700000000").get().value, 1)
    }

    func testRefusedLines() {
        XCTAssertEqual(parse("a.b 11 1700000000 extra"), .failure(.fieldCount))
        XCTAssertEqual(parse("a.b 12"), .failure(.fieldCount))
        XCTAssertEqual(parse(""), .failure(.fieldCount))
        XCTAssertEqual(parse("a.b 0x10 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b 1,5 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b 1__0 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b _1 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b 1_ 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b 1e 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b . 1700000000"), .failure(.invalidValue))
        XCTAssertEqual(parse("a.b 1 now"), .failure(.invalidTimestamp))
        XCTAssertEqual(parseBytes(Array("a.b\u{ff} 1 1".utf8.prefix(3)) + [0xff, 0x20, 0x31, 0x20, 0x31]), .failure(.invalidUTF8))
    }
}
