import Foundation
import XCTest
@testable import Whisper

/// The replayed CPython set order must be CPython's: compared against /usr/bin/python3 itself.
final class PythonSetOrderTests: XCTestCase {
    func testMatchesCPython() throws {
        try PythonWhisper.requireAvailable()
        var rng = SplitMix64(seed: 7)
        var lists: [[Int]] = []
        for _ in 0..<200 {
            let step = [1, 10, 60, 120, 300, 3600].randomElement(using: &rng)!
            let base = alignDown(1_700_000_000 + Int.random(in: 0..<1_000_000, using: &rng), step)
            let count = Int.random(in: 1...120, using: &rng)
            lists.append((0..<count).map { _ in base + step * Int.random(in: 0..<(count + 3), using: &rng) }.sorted())
        }
        let input = String(data: try JSONSerialization.data(withJSONObject: lists), encoding: .utf8)!
        let output = try PythonWhisper.script("print(json.dumps([list(set(l)) for l in json.loads(sys.argv[1] if len(sys.argv) > 1 else \(quoted(input)))]))")
        let expected = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[Int]], output)
        XCTAssertEqual(expected.count, lists.count, "CPython's answer must cover every list")
        for (list, order) in zip(lists, expected) {
            XCTAssertEqual(PythonSetOrder.iterationOrder(list), order)
        }
    }

    private func quoted(_ s: String) -> String { "'" + s + "'" }
}
