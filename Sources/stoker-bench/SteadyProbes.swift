import CarbonConfig
import Foundation
import Whisper

/// A few series of the steady load read back from their whisper files four times a second:
/// when a point appears, its delay is the time since it was sent (plaintext: the moment
/// tcp_blast's pacing sends that name in that round) or since its flush (statsd: the
/// timestamp the flush gave it, as Stoker's /metrics reported it; the file holds it rounded
/// down to the archive's step, and statsd's flushes keep the phase of its start, so the
/// file's timestamp alone would count up to a whole interval too much).
struct SteadyProbes {
    struct Probe {
        let path: String
        /// Plaintext: the name's place in its connection's round, as a fraction of the interval.
        let offset: Double
        var lastSeen: Int
    }

    struct Delay {
        /// Wall time the point was sent or flushed.
        var sentAt: Double
        /// Wall time the point was first seen in its file.
        let seenAt: Double
        /// The point's timestamp in the file.
        let timestamp: Int
    }

    private var probes: [Probe]
    private var found: [Delay] = []
    private let plaintext: Bool
    private let wallStart: Double
    private let firstTimestamp: Int
    private let interval: Int

    init(load: SteadyLoad, options: SteadyBenchmark, data: String, wallStart: Double, firstTimestamp: Int) {
        var names: [(String, Double)] = []
        switch load {
        case let .plaintext(n):
            let perConnection = n / options.connections
            for c in 0..<options.connections {
                for key in [0, perConnection / 2, perConnection - 1] {
                    names.append(("steady.c\(c).k\(key)", Double(key) / Double(perConnection)))
                }
            }
            plaintext = true
        case let .statsd(counters, timers):
            if counters > 0 { names += [("stats_counts.steady.counters.k0", 0), ("stats.steady.counters.k\(counters - 1)", 0)] }
            if timers > 0 { names += [("stats.timers.steady.timers.k0.count", 0), ("stats.timers.steady.timers.k\(timers - 1).upper_90", 0)] }
            plaintext = false
        }
        probes = names.compactMap { name, offset in
            (try? MetricPath.filePath(for: name, dataDirectory: data)).map { Probe(path: $0, offset: offset, lastSeen: firstTimestamp - options.interval) }
        }
        self.wallStart = wallStart
        self.firstTimestamp = firstTimestamp
        self.interval = options.interval
    }

    /// Reads every probe once and notes the points that appeared since the last poll.
    mutating func poll() {
        let now = Date().timeIntervalSince1970
        for index in probes.indices {
            guard let file = try? WhisperFile.open(path: probes[index].path, writable: false) else { continue }
            defer { file.closeDescriptor() }
            guard let series = try? file.fetch(from: probes[index].lastSeen, until: Int(now) + interval, now: Int(now) + interval) else { continue }
            for point in series.points where point.value != nil && point.timestamp > probes[index].lastSeen {
                let sentAt = plaintext
                    ? wallStart + Double(point.timestamp - firstTimestamp) + probes[index].offset * Double(interval)
                    : Double(point.timestamp)
                found.append(Delay(sentAt: sentAt, seenAt: now, timestamp: point.timestamp))
                probes[index].lastSeen = point.timestamp
            }
        }
    }

    /// Delays of the points sent or flushed after `wallTime`. `flushTimestamps`: the statsd
    /// flushes' own timestamps, each standing for the point its interval stored.
    func delays(after wallTime: Double, flushTimestamps: Set<Int> = []) -> [Double] {
        var flushOf: [Int: Int] = [:]
        for stamp in flushTimestamps { flushOf[stamp / interval * interval] = stamp }
        return found.map { delay -> Delay in
            guard !plaintext, let stamp = flushOf[delay.timestamp] else { return delay }
            var flushed = delay
            flushed.sentAt = Double(stamp)
            return flushed
        }
        .filter { $0.sentAt >= wallTime }
        .map { $0.seenAt - $0.sentAt }
    }
}
