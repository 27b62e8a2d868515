import XCTest
@testable import Whisper

/// whisper's validateArchiveList (docs/whisper.md §3), plus the format's 32-bit limits.
final class ArchiveSpecTests: XCTestCase {
    private func message(_ archives: [(Int, Int)]) -> String? {
        do {
            _ = try ArchiveSpec.validated(archives.map { ArchiveSpec(secondsPerPoint: $0.0, points: $0.1) })
            return nil
        } catch let WhisperError.invalidConfiguration(text) {
            return text
        } catch {
            return "\(error)"
        }
    }

    func testSortsByPrecision() throws {
        let sorted = try ArchiveSpec.validated([.init(secondsPerPoint: 300, points: 2), .init(secondsPerPoint: 60, points: 5)])
        XCTAssertEqual(sorted.map(\.secondsPerPoint), [60, 300])
    }

    func testRejections() {
        XCTAssertEqual(message([]), "You must specify at least one archive configuration!")
        XCTAssertTrue(message([(60, 10), (60, 20)])!.hasPrefix("A Whisper database may not be configured having two archives with the same precision"))
        XCTAssertTrue(message([(60, 100), (90, 100)])!.hasPrefix("Higher precision archives' precision must evenly divide"))
        XCTAssertTrue(message([(60, 100), (120, 50)])!.hasPrefix("Lower precision archives must cover larger time intervals"))
        XCTAssertEqual(message([(10, 5), (60, 100)]),
                       "Each archive must have at least enough points to consolidate to the next archive (archive1 consolidates 6 of archive0's points but it has only 5 total points)")
        XCTAssertNotNil(message([(0, 10)]))
        XCTAssertNotNil(message([(60, 0)]))
        XCTAssertNotNil(message([(60, Int(UInt32.max))]))
        XCTAssertNil(message([(10, 6), (60, 10)]))
        XCTAssertNil(message([(1, 3600), (60, 1440), (3600, 8760)]))
    }
}
