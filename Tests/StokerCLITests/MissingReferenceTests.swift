import XCTest

/// A missing reference fails the test under `make test` and in CI; it skips only otherwise.
final class MissingReferenceTests: XCTestCase {
    func testFailsWhenReferencesAreRequired() {
        for environment in [["STOKER_REQUIRE_REFERENCES": "1"], ["CI": "true"], ["CI": "1", "STOKER_REQUIRE_REFERENCES": "0"]] {
            let error = missingReference("python3-whisper missing", environment: environment)
            XCTAssertFalse(error is XCTSkip, "\(environment)")
            XCTAssertEqual("\(error)", "python3-whisper missing")
        }
    }

    func testSkipsForADeveloperWithoutThePackages() {
        for environment in [[:], ["STOKER_REQUIRE_REFERENCES": "0"], ["CI": ""]] {
            XCTAssertTrue(missingReference("python3-whisper missing", environment: environment) is XCTSkip, "\(environment)")
        }
    }
}
