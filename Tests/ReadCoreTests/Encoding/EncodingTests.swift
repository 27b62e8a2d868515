import Pickle
import XCTest
@testable import ReadCore

/// Byte-for-byte against what graphite-web's own encoders wrote for the same values (its
/// bundled umsgpack with `use_bin_type=True`, and `json.dumps`), computed with Debian's
/// graphite-web 1.1.8 and pasted here.
final class EncodingTests: XCTestCase {
    func testMessagePackAsGraphiteWebWritesIt() {
        let value: PickleValue = [
            ["path": "a.b", "is_leaf": true, "intervals": [.tuple([1.5, 2.0])]],
            -1, 200, -200, 70000, -70000, .int(1 << 40), .none, false, .string(String(repeating: "x", count: 40)), "é",
        ]
        let expected: [UInt8] = [155, 131, 164, 112, 97, 116, 104, 163, 97, 46, 98, 167, 105, 115, 95, 108, 101, 97, 102, 195, 169, 105, 110, 116,
                                 101, 114, 118, 97, 108, 115, 145, 146, 203, 63, 248, 0, 0, 0, 0, 0, 0, 203, 64, 0, 0, 0, 0, 0, 0, 0, 255, 204,
                                 200, 209, 255, 56, 206, 0, 1, 17, 112, 210, 255, 254, 238, 144, 207, 0, 0, 1, 0, 0, 0, 0, 0, 192, 194, 217, 40]
            + Array(repeating: 120, count: 40) + [162, 195, 169]
        XCTAssertEqual(MessagePack.encode(value), expected)
    }

    func testJSONAsPythonWritesIt() {
        let value: PickleValue = [.dict([
            ("a", 1.0), ("b", .none), ("c", "é\"\\\n"), ("d", 1e16), ("e", 1e-5), ("f", 0.1), ("g", .float(.nan)),
            ("h", .float(.infinity)), ("i", true), ("j", 12345678901234567.0),
        ])]
        let expected = #"[{"a": 1.0, "b": null, "c": "\u00e9\"\\\n", "d": 1e+16, "e": 1e-05, "f": 0.1, "g": NaN, "h": Infinity, "i": true, "j": 1.2345678901234568e+16}]"#
        XCTAssertEqual(String(decoding: PythonJSON.encode(value), as: UTF8.self), expected)
    }
}
