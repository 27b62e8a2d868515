import XCTest
import Whisper
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// carbon's retention syntax (docs/carbon.md §9).
final class RetentionParserTests: XCTestCase {
    private func archives(_ text: String) throws -> [[Int]] {
        try RetentionParser.parse(text).map { [$0.secondsPerPoint, $0.points] }
    }

    private func error(_ text: String) -> RetentionError? {
        do {
            _ = try RetentionParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    func testUnitsOnBothSides() throws {
        XCTAssertEqual(try archives("10s:6h,1m:7d"), [[10, 2160], [60, 10080]])
        XCTAssertEqual(try archives("1h:5y"), [[3600, 43800]])
        XCTAssertEqual(try archives("1w:1y"), [[604_800, 52]])
        XCTAssertEqual(try archives("1d:4w"), [[86400, 28]])
    }

    func testPlainNumbersAreSecondsAndPoints() throws {
        XCTAssertEqual(try archives("60:1440"), [[60, 1440]])
        // A plain duration is a point count even with a unit on the precision.
        XCTAssertEqual(try archives("1m:1440"), [[60, 1440]])
        XCTAssertEqual(try archives("007:010"), [[7, 10]])
    }

    func testSpanIsFlooredToWholePoints() throws {
        XCTAssertEqual(try archives("7s:1m"), [[7, 8]])
        XCTAssertEqual(try archives("1h:30m"), [[3600, 0]])
    }

    func testKeepsWrittenOrder() throws {
        XCTAssertEqual(try archives("1m:7d,10s:6h"), [[60, 10080], [10, 2160]])
    }

    func testWhitespaceAroundEachPair() throws {
        XCTAssertEqual(try archives("  10s:6h ,\t1m:7d  "), [[10, 2160], [60, 10080]])
    }

    func testWhitespaceInsideAPairIsAnError() {
        XCTAssertEqual(error("10s :6h"), .invalidPrecision("10s "))
        XCTAssertEqual(error("10s: 6h"), .invalidDuration(" 6h"))
    }

    func testOnlySingleLowerCaseUnitLetters() {
        XCTAssertEqual(error("1min:1d"), .invalidUnit("min"))
        XCTAssertEqual(error("60:1day"), .invalidUnit("day"))
        XCTAssertEqual(error("1M:1d"), .invalidPrecision("1M"))
        XCTAssertEqual(error("60:1D"), .invalidDuration("1D"))
        XCTAssertEqual(error("1q:1d"), .invalidUnit("q"))
    }

    func testMalformedDefinitions() {
        XCTAssertEqual(error("60"), .invalidDefinition("60"))
        XCTAssertEqual(error("60:1:2"), .invalidDefinition("60:1:2"))
        XCTAssertEqual(error(""), .invalidDefinition(""))
        XCTAssertEqual(error("60:1440,"), .invalidDefinition(""))
        XCTAssertEqual(error(":1440"), .invalidPrecision(""))
        XCTAssertEqual(error("60:"), .invalidDuration(""))
        XCTAssertEqual(error("s:1d"), .invalidPrecision("s"))
        XCTAssertEqual(error("-1:10"), .invalidPrecision("-1"))
        XCTAssertEqual(error("1.5s:1d"), .invalidPrecision("1.5s"))
    }

    func testZeroPrecisionWithASpan() {
        XCTAssertEqual(error("0:1d"), .zeroPrecision("0:1d"))
        // With a point count it parses; whisper's archive rules refuse it later.
        XCTAssertEqual(try archives("0:10"), [[0, 10]])
    }

    func testNumbersTooLarge() {
        XCTAssertEqual(error("99999999999999999999:10"), .numberTooLarge("99999999999999999999"))
        XCTAssertEqual(error("1:999999999999999999y"), .numberTooLarge("999999999999999999y"))
    }

    func testMessagesFollowCarbon() {
        XCTAssertEqual(RetentionError.invalidUnit("min").description, "Invalid unit 'min'")
        XCTAssertEqual(RetentionError.invalidPrecision("1M").description, "Invalid precision specification '1M'")
        XCTAssertEqual(RetentionError.invalidDuration("1D").description, "Invalid retention specification '1D'")
        XCTAssertEqual(RetentionError.invalidDefinition("60").description, "Invalid retention definition '60'")
    }
}
