import Foundation
import Pickle

/// Renders values the way the Python whisper scripts print them, so `stoker whisper ...`
/// output can be compared byte for byte with whisper-info and whisper-fetch.
enum PythonFormatting {
    /// `repr(float)` (`PythonFloatSyntax.repr`).
    static func repr(_ value: Double) -> String { PythonFloatSyntax.repr(value) }

    /// Python's `"%f" % value`: six decimals; `nan`, `inf`, `-inf` (never `-nan`).
    static func fixed6(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: "%f", value)
    }

    /// `str(list)` of optional floats: `[1.0, None, 2.5]`.
    static func listRepr(_ values: [Double?]) -> String {
        "[" + values.map { $0.map(repr) ?? "None" }.joined(separator: ", ") + "]"
    }
}
