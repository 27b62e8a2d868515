import Foundation

/// One line of a benchmark's result table: a C figure, a Stoker figure and the targets the
/// Stoker figure must meet. Each figure keeps every repetition; the table shows the median.
struct ResultRow {
    enum Unit: String {
        case updates = "updates/s", points = "points/s", creates = "creates/s"
        case lines = "lines/s", datagrams = "datagrams/s", samples = "samples/s"
        case bytesPerPoint = "bytes/point", bytesPerMetric = "bytes/metric", bytesPerCounter = "bytes/counter"
        case mebibytes = "MiB", milliseconds = "ms", percent = "%"
    }

    var workload: String
    var unit: Unit
    var c: [Double] = []
    var stoker: [Double] = []
    /// Stoker must reach this fraction of C (nil: no ratio target).
    var minimumRatio: Double?
    /// Stoker must reach this absolute figure (nil: none).
    var minimumAbsolute: Double?
    /// Stoker must stay at or below this figure (nil: none): sizes, times, losses.
    var maximumAbsolute: Double?
    /// Shown for reference only; no pass or fail.
    var isReference = false
    /// Peers measured on this machine (`docs/limits.md` §3), shown in an extra column when asked for.
    var peers: String = ""

    var cMedian: Double? { Self.median(c) }
    var stokerMedian: Double? { Self.median(stoker) }
    var ratio: Double? {
        guard let c = cMedian, let s = stokerMedian, c > 0 else { return nil }
        return s / c
    }

    var targetText: String {
        if isReference { return "reference" }
        var parts: [String] = []
        if let r = minimumRatio { parts.append(">= \(Int((r * 100).rounded())) % of C") }
        if let a = minimumAbsolute { parts.append(">= \(Self.format(a)) \(unit.rawValue)") }
        if let a = maximumAbsolute { parts.append("<= \(Self.format(a)) \(unit.rawValue)") }
        return parts.joined(separator: ", ")
    }

    /// nil for reference rows.
    var passed: Bool? {
        if isReference { return nil }
        guard let s = stokerMedian else { return false }
        if let r = minimumRatio, (ratio ?? 0) < r { return false }
        if let a = minimumAbsolute, s < a { return false }
        if let a = maximumAbsolute, s > a { return false }
        return true
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// 395k, 1.23M, 8.4k: three significant digits.
    static func format(_ value: Double) -> String {
        let (scaled, suffix): (Double, String) =
            value >= 1e6 ? (value / 1e6, "M") : value >= 1e3 ? (value / 1e3, "k") : (value, "")
        let digits = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
        return String(format: "%.\(digits)f", scaled) + suffix
    }

    static func figure(_ values: [Double]) -> String {
        guard let median = median(values) else { return "-" }
        guard values.count > 1, let low = values.min(), let high = values.max() else { return format(median) }
        return "\(format(median)) (\(format(low))-\(format(high)))"
    }
}

/// Renders rows as a Markdown table (readable as plain text too).
enum ResultTable {
    /// `peerColumn` adds the peers measured on this machine (`ResultRow.peers`) after the C column.
    static func markdown(_ rows: [ResultRow], peerColumn: Bool = false) -> String {
        var lines = peerColumn
            ? ["| workload | unit | C baseline | peers (docs/limits.md) | Stoker | Stoker/C | target | result |",
               "|---|---|---|---|---|---|---|---|"]
            : ["| workload | unit | C baseline | Stoker | Stoker/C | target | result |",
               "|---|---|---|---|---|---|---|"]
        for row in rows {
            let ratio = row.ratio.map { String(format: "%.0f %%", $0 * 100) } ?? "-"
            let result = row.passed.map { $0 ? "PASS" : "**FAIL**" } ?? "-"
            let peers = peerColumn ? " \(row.peers.isEmpty ? "-" : row.peers) |" : ""
            lines.append("| \(row.workload) | \(row.unit.rawValue) | \(ResultRow.figure(row.c)) |\(peers) \(ResultRow.figure(row.stoker)) | \(ratio) | \(row.targetText) | \(result) |")
        }
        return lines.joined(separator: "\n")
    }
}
