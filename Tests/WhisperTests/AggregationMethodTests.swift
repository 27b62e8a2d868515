import XCTest
@testable import Whisper

final class AggregationMethodTests: XCTestCase {
    /// docs/whisper.md §5: slots [-5, ∅, 5, ∅, 2, ∅].
    func testReferenceExample() {
        let slots: [Double?] = [-5, nil, 5, nil, 2, nil]
        let expected: [AggregationMethod: Double] = [
            .average: 2.0 / 3.0, .sum: 2, .last: 2, .max: 5, .min: -5,
            .avgZero: 2.0 / 6.0, .absmax: -5, .absmin: 2,
        ]
        for method in AggregationMethod.allCases {
            XCTAssertEqual(method.aggregate(slots), expected[method], "\(method)")
        }
    }

    func testNothingKnownGivesNil() {
        for method in AggregationMethod.allCases {
            XCTAssertNil(method.aggregate([nil, nil] as [Double?]))
        }
    }

    func testTiesKeepTheEarliest() {
        XCTAssertEqual(AggregationMethod.absmin.aggregate([3, -3] as [Double?]), 3)
        XCTAssertEqual(AggregationMethod.absmax.aggregate([-7, 7] as [Double?]), -7)
        // max of -0.0 then 0.0 keeps -0.0, as Python's max does
        XCTAssertEqual(AggregationMethod.max.aggregate([-0.0, 0.0] as [Double?])?.sign, .minus)
    }

    /// Python's sum starts from the integer 0, so a lone -0.0 sums to +0.0.
    func testSumOfNegativeZeroIsPositiveZero() {
        XCTAssertEqual(AggregationMethod.sum.aggregate([-0.0] as [Double?])?.sign, .plus)
        XCTAssertEqual(AggregationMethod.average.aggregate([-0.0] as [Double?])?.sign, .plus)
    }

    func testNamesAndCodes() {
        XCTAssertEqual(AggregationMethod.allCases.map(\.name), ["average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin"])
        XCTAssertEqual(AggregationMethod.allCases.map(\.rawValue), Array(1...8))
        XCTAssertEqual(AggregationMethod(name: "avg_zero"), .avgZero)
        XCTAssertNil(AggregationMethod(name: "Average"))
        XCTAssertNil(AggregationMethod(name: "median"))
    }
}
