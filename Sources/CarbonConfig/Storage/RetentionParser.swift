import Whisper

/// carbon's retention syntax (`carbon.util.parseRetentionDef`), as used by
/// storage-schemas.conf: comma-separated `precision:duration` pairs, white space allowed
/// around each pair but not inside it.
///
/// * precision: digits (seconds) or `<digits><unit>`;
/// * duration: digits (a number of POINTS) or `<digits><unit>` (a time span, turned into
///   ⌊span / precision⌋ points).
///
/// Units are exactly `s m h d w y`. This is stricter than whisper's own parser (used by
/// `whisper-create`), which accepts any prefix of `seconds`, `minutes`, ...: in carbon
/// `1min:1d`, `1M` and `1D` are errors. Archive-list rules (docs/whisper.md §3) are not checked here.
public enum RetentionParser {
    /// Seconds per unit letter; `y` is 365 days.
    static let unitSeconds: [UInt8: Int] = [
        UInt8(ascii: "s"): 1, UInt8(ascii: "m"): 60, UInt8(ascii: "h"): 3600,
        UInt8(ascii: "d"): 86400, UInt8(ascii: "w"): 604_800, UInt8(ascii: "y"): 31_536_000,
    ]

    /// Parses a whole `retentions` value into archives, in the order written.
    public static func parse(_ text: String) throws(RetentionError) -> [ArchiveSpec] {
        var archives: [ArchiveSpec] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            archives.append(try parseArchive(String(item)))
        }
        return archives
    }

    /// Parses one `precision:duration` pair.
    public static func parseArchive(_ definition: String) throws(RetentionError) -> ArchiveSpec {
        let pair = OrderedINI.stripped(Substring(definition))
        let parts = pair.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidDefinition(definition) }
        let precisionText = Array(parts[0])
        let durationText = Array(parts[1])

        let precision: Int
        if let seconds = try plainNumber(precisionText) {
            precision = seconds
        } else if let seconds = try span(precisionText) {
            precision = seconds
        } else {
            throw .invalidPrecision(String(decoding: precisionText, as: UTF8.self))
        }

        let points: Int
        if let count = try plainNumber(durationText) {
            points = count
        } else if let seconds = try span(durationText) {
            guard precision > 0 else { throw .zeroPrecision(definition) }
            points = seconds / precision
        } else {
            throw .invalidDuration(String(decoding: durationText, as: UTF8.self))
        }
        return ArchiveSpec(secondsPerPoint: precision, points: points)
    }

    /// ASCII digits only (Python's `isdigit`, minus other scripts' digits); nil otherwise.
    private static func plainNumber(_ bytes: [UInt8]) throws(RetentionError) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
        var value = 0
        for byte in bytes {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .numberTooLarge(String(decoding: bytes, as: UTF8.self)) }
            value = sum
        }
        return value
    }

    /// Seconds for `<digits><lower-case letters>`; nil when the text has another shape
    /// (carbon's `^(\d+)([a-z]+)$`), an error when the letters are not one known unit.
    private static func span(_ bytes: [UInt8]) throws(RetentionError) -> Int? {
        guard let unitStart = bytes.firstIndex(where: { !isDigit($0) }), unitStart > 0 else { return nil }
        let unit = bytes[unitStart...]
        guard unit.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return nil }
        guard unit.count == 1, let multiplier = unitSeconds[unit[unitStart]] else {
            throw .invalidUnit(String(decoding: unit, as: UTF8.self))
        }
        guard let count = try plainNumber(Array(bytes[..<unitStart])) else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw .numberTooLarge(String(decoding: bytes, as: UTF8.self)) }
        return seconds
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
