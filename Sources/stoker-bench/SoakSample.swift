import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Whisper

/// What the soak reads from the child Stoker every sample interval. nil: that source did not
/// answer this time (the soak goes on; the count of misses is reported).
struct SoakSample {
    /// Seconds since the load started.
    var elapsed: Double
    /// VmRSS of the child.
    var residentBytes: Int
    /// From one manhole exec: MetricCache.size, len(MetricCache), cache.overflow and the
    /// writer's counters since start.
    var cache: CacheFigures?
    /// Wall time of that exec (the manhole under load).
    var manholeMilliseconds: Double?
    /// statsd admin `stats`: the last flush's duration (absorb, compute, store into the cache),
    /// and its end time as Unix seconds.
    var flushMilliseconds: Double?
    var flushEnded: Double?
    /// Sum of `stats_counts.statsd.udp_dropped` (datagrams, not lines) in its whisper file
    /// (what the writer has stored so far; complete only after the shutdown drain).
    var statsdDroppedOnDisk: Double
    /// Plaintext points tcp_blast has sent so far (finished runs only).
    var carbonPointsSent: Int

    struct CacheFigures {
        var points: Int
        var metrics: Int
        var overflow: Int
        var committedPoints: Int
        var creates: Int
        var writerDropped: Int
        var writerErrors: Int
    }

    /// The manhole expression whose answer `CacheFigures(parsing:)` reads.
    static let cacheExpression = "[MetricCache.size, len(MetricCache), cache.overflow, writer.stats['committedPoints'], "
        + "writer.stats['creates'], writer.stats['droppedPoints'], writer.stats['errors']]"

    static let csvHeader = "elapsed_s,rss_mib,cache_points,cache_metrics,cache_overflow,committed_points,creates,"
        + "writer_dropped,writer_errors,flush_ms,statsd_udp_dropped_datagrams_on_disk,plaintext_points_sent,manhole_ms"

    var csvLine: String {
        func text(_ value: Int?) -> String { value.map(String.init) ?? "" }
        let c = cache
        return [String(format: "%.1f", elapsed), String(format: "%.1f", Double(residentBytes) / 1_048_576),
                text(c?.points), text(c?.metrics), text(c?.overflow), text(c?.committedPoints), text(c?.creates),
                text(c?.writerDropped), text(c?.writerErrors), flushMilliseconds.map { String(format: "%.0f", $0) } ?? "",
                String(format: "%.0f", statsdDroppedOnDisk), String(carbonPointsSent),
                manholeMilliseconds.map { String(format: "%.1f", $0) } ?? ""].joined(separator: ",")
    }

    static let markdownHeader = """
        | elapsed | RSS MiB | cache points | cache metrics | cache.overflow | committed | creates | writer dropped | flush ms | statsd udp_dropped datagrams (on disk) | plaintext points sent (finished runs) | manhole ms |
        |---|---|---|---|---|---|---|---|---|---|---|---|
        """

    /// Exact below 10,000 (drop counts read better so), then `12.3k`-style; `-` when missing.
    static func count(_ value: Int?) -> String {
        guard let value else { return "-" }
        return value < 10_000 ? String(value) : ResultRow.format(Double(value))
    }

    var markdownLine: String {
        let count = Self.count
        let c = cache
        let minutes = Int(elapsed.rounded()) / 60, seconds = Int(elapsed.rounded()) % 60
        return "| \(minutes):\(String(format: "%02d", seconds)) | \(String(format: "%.0f", Double(residentBytes) / 1_048_576)) | "
            + "\(count(c?.points)) | \(count(c?.metrics)) | \(count(c?.overflow)) | \(count(c?.committedPoints)) | "
            + "\(count(c?.creates)) | \(count(c?.writerDropped)) | \(flushMilliseconds.map { String(format: "%.0f", $0) } ?? "-") | "
            + "\(count(Int(statsdDroppedOnDisk))) | \(count(carbonPointsSent)) | "
            + "\(manholeMilliseconds.map { String(format: "%.0f", $0) } ?? "-") |"
    }
}

extension SoakSample.CacheFigures {
    /// `[1, 2, 3, 4, 5, 6, 7]` as the manhole prints the list.
    init?(parsing answer: String) {
        let numbers = answer.trimmingCharacters(in: CharacterSet(charactersIn: "[] \n\r\t"))
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 7 else { return nil }
        self.init(points: numbers[0], metrics: numbers[1], overflow: numbers[2], committedPoints: numbers[3],
                  creates: numbers[4], writerDropped: numbers[5], writerErrors: numbers[6])
    }
}

/// Reads a statsd self-metric's whisper file written by the child (1-second archive, so every
/// flush has its own slot).
enum SoakWhisper {
    /// (timestamp, value) of every stored point from `from` to now, oldest first; empty if the
    /// file does not exist yet.
    static func points(_ metric: String, dataDirectory: String, from: Int) -> [(timestamp: Int, value: Double)] {
        guard let path = try? MetricPath.filePath(for: metric, dataDirectory: dataDirectory),
              FileManager.default.fileExists(atPath: path),
              let file = try? WhisperFile.open(path: path, writable: false) else { return [] }
        defer { file.closeDescriptor() }
        let now = Int(Date().timeIntervalSince1970)
        guard let series = try? file.fetch(from: from, until: now + 1, now: now + 1) else { return [] }
        return series.points.compactMap { point in point.value.map { (point.timestamp, $0) } }
    }

    static func total(_ metric: String, dataDirectory: String, from: Int) -> Double {
        points(metric, dataDirectory: dataDirectory, from: from).reduce(0) { $0 + $1.value }
    }
}

/// Least-squares slope of y over x (nil with fewer than two distinct x).
func leastSquaresSlope(_ points: [(x: Double, y: Double)]) -> Double? {
    guard points.count >= 2 else { return nil }
    let n = Double(points.count)
    let meanX = points.reduce(0) { $0 + $1.x } / n, meanY = points.reduce(0) { $0 + $1.y } / n
    let sxx = points.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) }
    guard sxx > 0 else { return nil }
    return points.reduce(0) { $0 + ($1.x - meanX) * ($1.y - meanY) } / sxx
}
