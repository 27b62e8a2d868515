import CarbonCache
import Whisper
import XCTest
@testable import ReadCore

/// `merge_with_cache` against graphite-web 1.1.8's own answers for these inputs (computed with
/// Debian's graphite-web and pasted here).
final class CacheMergeTests: XCTestCase {
    func merge(_ points: [(Double, Double)], start: Int, step: Int, _ values: [Double?], _ method: AggregationMethod, rawStep: Int) -> [Double?] {
        var values = values
        CacheMerge.merge(points.map { CachedPoint(timestamp: $0.0, value: $0.1) }, into: &values, start: start, step: step,
                         method: method, rawStep: rawStep)
        return values
    }

    func testMatchesGraphiteWeb() {
        XCTAssertEqual(merge([(100, 1), (101, 2), (115, 3)], start: 100, step: 10, [nil, nil, nil], .average, rawStep: 10), [2, 3, nil])
        XCTAssertEqual(merge([(100, 1), (101, 2), (115, 3), (170, 9)], start: 60, step: 60, [nil, nil], .sum, rawStep: 10), [5, 9])
        XCTAssertEqual(merge([(100, 1), (95, 5), (130, 7)], start: 100, step: 10, [nil, 4, nil], .last, rawStep: 1), [1, 4, nil])
        XCTAssertEqual(merge([(100.5, 1), (99.5, 2)], start: 100, step: 1, [nil, nil, nil], .average, rawStep: 1), [2, nil, nil])
        XCTAssertEqual(merge([(59, 1), (61, 2), (62, 4)], start: 60, step: 60, [nil, nil], .max, rawStep: 1), [4, nil])
    }
}
