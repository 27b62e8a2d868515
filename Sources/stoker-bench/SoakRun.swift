import Glibc
import Foundation

/// The soak itself: starts the load, samples the child every interval until the end, stops the
/// load and then Stoker, and reads statsd's own counters back from disk.
struct SoakRun {
    let options: SoakBenchmark
    let child: StokerChild
    let ssh: ManholeSSH
    let adminPort: Int
    let dataDirectory: String

    private(set) var samples: [SoakSample] = []
    /// Samples whose manhole exec or admin `stats` did not answer.
    private(set) var manholeMisses = 0
    private(set) var adminMisses = 0
    /// udp_blast's own figures for the whole run.
    private(set) var statsdSentLines = 0.0
    private(set) var statsdSentRate = 0.0
    private(set) var carbon = SoakCarbonDriver.Totals()
    /// From the first sent point to the carbon driver's stop.
    private(set) var carbonSeconds = 0.0
    /// SIGTERM to exit: final statsd flush and the cache drained to disk.
    private(set) var shutdownSeconds = 0.0
    /// Read back from the whisper files after the shutdown.
    private(set) var statsdReceived = 0.0
    private(set) var statsdDropped = 0.0
    private(set) var flushMilliseconds: [Double] = []

    init(options: SoakBenchmark, child: StokerChild, ssh: ManholeSSH, adminPort: Int, dataDirectory: String) {
        self.options = options
        self.child = child
        self.ssh = ssh
        self.adminPort = adminPort
        self.dataDirectory = dataDirectory
    }

    /// The idle sample, then the first sample of each minute, and the last.
    var minuteSamples: [SoakSample] {
        var picked: [SoakSample] = []
        var minute = -1
        for sample in samples {
            let current = Int((sample.elapsed + options.sampleSeconds / 2) / 60)
            if current > minute {
                picked.append(sample)
                minute = current
            }
        }
        if let last = samples.last, picked.last?.elapsed != last.elapsed { picked.append(last) }
        return picked
    }

    mutating func run(udpBlast: String, tcpBlast: String, statsdPort: Int, linePort: Int) throws {
        let readFrom = Int(Date().timeIntervalSince1970) - 60
        print("load: statsd \(ResultRow.format(options.statsdRate)) lines/s, plaintext \(ResultRow.format(options.carbonRate)) points/s for \(ResultRow.format(options.totalSeconds)) s; warm-up \(ResultRow.format(options.warmUp)) s")
        log(Self.aligned(Self.progressHeader))
        // The idle process, before any load.
        samples.append(sample(elapsed: 0, carbonPoints: 0, readFrom: readFrom))
        log(progressLine(samples[0]))
        let begin = MonotonicClock.now()
        let deadline = begin + options.totalSeconds
        let statsd = try ChildProcess.start(udpBlast, ["-p", String(statsdPort), "-m", "statsd", "-T", "c", "-s", "1400",
                                                       "-k", String(options.statsdKeys), "-L", String(Int(options.statsdRate)),
                                                       "-d", String(options.totalSeconds), "-P", "soak.statsd", "-q"])
        let carbonDriver = SoakCarbonDriver(tcpBlast: tcpBlast, port: linePort, metrics: options.carbonMetrics,
                                            rate: options.carbonRate, prefix: "soak.carbon", deadline: deadline)
        do {
            var index = 1
            while begin + Double(index) * options.sampleSeconds <= deadline + 0.001 {
                let due = begin + Double(index) * options.sampleSeconds
                while MonotonicClock.now() < due {
                    if child.hasExited { throw BenchFailure("stoker exited during the soak:\n\(child.logTail())") }
                    if let failure = carbonDriver.snapshot.failure { throw BenchFailure("plaintext load: \(failure)") }
                    usleep(UInt32(min(0.5, max(0.001, due - MonotonicClock.now())) * 1e6))
                }
                let sample = sample(elapsed: MonotonicClock.now() - begin, carbonPoints: carbonDriver.snapshot.points, readFrom: readFrom)
                samples.append(sample)
                log(progressLine(sample))
                index += 1
            }
        } catch {
            statsd.terminate()
            _ = carbonDriver.stop()
            throw error
        }
        carbon = carbonDriver.stop()
        carbonSeconds = MonotonicClock.now() - begin
        let statsdResult = statsd.wait()
        guard statsdResult.status == 0, let fields = ChildProcess.fields(in: statsdResult.output, lineWith: "sent_lines"),
              let sent = Double(fields["sent_lines"] ?? ""), let rate = Double(fields["lines_per_s"] ?? "") else {
            throw BenchFailure("udp_blast exited with \(statsdResult.status): \(statsdResult.output)")
        }
        statsdSentLines = sent
        statsdSentRate = rate
        if let failure = carbon.failure { throw BenchFailure("plaintext load: \(failure)") }

        // The final flush on SIGTERM must not share a second with the last periodic flush: both
        // would store statsd's counters with the same timestamp, and the cache and the 1-s
        // archive keep only the later value, so one interval would vanish from the totals.
        let settleDeadline = MonotonicClock.now() + 15
        while let age = (try? StatsdAdminClient.stats(port: adminPort))?["graphite.last_flush"], !(2...7).contains(age),
              MonotonicClock.now() < settleDeadline {
            usleep(200_000)
        }
        log("load stopped; stopping stoker (final flush, cache drained)")
        let stopBegin = MonotonicClock.now()
        let status = child.stop()
        shutdownSeconds = MonotonicClock.now() - stopBegin
        guard status == 0 else { throw BenchFailure("stoker exited with \(status):\n\(child.logTail())") }
        log(String(format: "  stopped in %.1f s", shutdownSeconds))

        statsdReceived = SoakWhisper.total("stats_counts.statsd.metrics_received", dataDirectory: dataDirectory, from: readFrom)
        statsdDropped = SoakWhisper.total("stats_counts.statsd.udp_dropped", dataDirectory: dataDirectory, from: readFrom)
        // Each flush stores the PREVIOUS flush's time; the first one's predecessor is none (0).
        flushMilliseconds = SoakWhisper.points("stats.statsd.graphiteStats.flush_time", dataDirectory: dataDirectory, from: readFrom)
            .dropFirst().map(\.value)
    }

    /// RSS first: the manhole exec starts a session thread in the child.
    private mutating func sample(elapsed: Double, carbonPoints: Int, readFrom: Int) -> SoakSample {
        let resident = child.residentBytes
        var cache: SoakSample.CacheFigures?
        var manholeMilliseconds: Double?
        if let trip = try? ssh.exec(SoakSample.cacheExpression), trip.status == 0,
           let figures = SoakSample.CacheFigures(parsing: trip.output) {
            cache = figures
            manholeMilliseconds = trip.seconds * 1000
        } else {
            manholeMisses += 1
        }
        var flush: Double?, flushEnded: Double?
        if let stats = try? StatsdAdminClient.stats(port: adminPort), let time = stats["graphite.flush_time"] {
            flush = time
            flushEnded = stats["graphite.last_flush"].map { Date().timeIntervalSince1970.rounded(.down) - $0 }
        } else {
            adminMisses += 1
        }
        let dropped = SoakWhisper.total("stats_counts.statsd.udp_dropped", dataDirectory: dataDirectory, from: readFrom)
        return SoakSample(elapsed: elapsed, residentBytes: resident, cache: cache, manholeMilliseconds: manholeMilliseconds,
                          flushMilliseconds: flush, flushEnded: flushEnded, statsdDroppedOnDisk: dropped, carbonPointsSent: carbonPoints)
    }

    /// Column names of the progress lines and the width each is right-aligned to.
    private static let progressHeader: [(String, Int)] = [
        ("elapsed", 9), ("RSS MiB", 9), ("cache points", 14), ("metrics", 9), ("overflow", 10), ("committed", 11),
        ("creates", 9), ("dropped", 9), ("flush ms", 10), ("udp dropped", 13), ("plain sent", 12), ("manhole ms", 12),
    ]

    private static func aligned(_ columns: [(String, Int)]) -> String {
        columns.map { String(repeating: " ", count: max(1, $0.1 - $0.0.count)) + $0.0 }.joined()
    }

    private func progressLine(_ s: SoakSample) -> String {
        let count = SoakSample.count
        let c = s.cache
        let values = [
            String(format: "%.0f s", s.elapsed), String(format: "%.0f", Double(s.residentBytes) / 1_048_576),
            count(c?.points), count(c?.metrics), count(c?.overflow), count(c?.committedPoints), count(c?.creates),
            count(c?.writerDropped), s.flushMilliseconds.map { String(format: "%.0f", $0) } ?? "-",
            count(Int(s.statsdDroppedOnDisk)), count(s.carbonPointsSent), s.manholeMilliseconds.map { String(format: "%.0f", $0) } ?? "-",
        ]
        return Self.aligned(zip(values, Self.progressHeader.map(\.1)).map { ($0, $1) })
    }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}
