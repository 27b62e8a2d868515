import ArgumentParser
import Glibc
import Foundation
import Logging
import CarbonCache
import CarbonNetwork
import StatsdCore
import StatsdNetwork
import Synchronization

/// `stoker-bench statsd` (issue 4): Stoker's statsd in this process (StatsdServer on a free
/// loopback port, no carbon: the sink only adds up what each flush carries), fed by
/// `tools/udp_blast.c`. Loss is measured end to end (flushed counter totals, or timer sample
/// counts, against the lines udp_blast sent) and from `statsd.udp_dropped` (SO_RXQ_OVFL).
struct StatsdBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statsd",
        abstract: "Statsd ingest and flush: udp_blast.c into StatsdServer, end-to-end loss, flush time, memory.",
        discussion: """
            Workloads: (a) counter lines packed into 1400-byte datagrams (~87 per datagram), \
            (b) timer lines packed the same way, (c) one counter line per datagram, unpaced. For \
            (a) and (b) udp_blast's -L rate is stepped (x1.25 up from --start-* while lossless, \
            /1.25 down while not, at most --steps runs of --seconds each) to find the highest \
            lossless rate. Also: StatsdState.flush of 100k timers x 10 samples (no sockets), and \
            RSS per idle counter after 1M distinct counters went through a server and one flush. \
            DogStatsD: (d) counter lines with tags and a container field, searched as (a) and \
            compared with the same tagged lines without it; (e) the parser alone on lines packing \
            four values, against statsd's tagged counter lines.
            """
    )

    @Option(help: "UDP reader threads (each its own SO_REUSEPORT socket; one sender lands on one of them).")
    var readerThreads: Int = 2

    @Option(help: "Distinct metric names udp_blast cycles over in (a)-(c).")
    var keys: Int = 10_000

    @Option(help: "Seconds udp_blast sends per step.")
    var seconds: Double = 3

    @Option(help: "Most udp_blast runs per stepped workload.")
    var steps: Int = 7

    @Option(help: "First -L rate (lines/s) tried for counters.")
    var startCounters: Double = 6_000_000

    @Option(help: "First -L rate (lines/s) tried for timers.")
    var startTimers: Double = 3_000_000

    @Option(help: "Runs of the one-line-per-datagram workload (unpaced).")
    var singleRuns: Int = 3

    @Option(help: "Distinct timers in the flush-time workload.")
    var flushTimers: Int = 100_000

    @Option(help: "Samples per timer in the flush-time workload.")
    var flushSamples: Int = 10

    @Option(help: "Distinct counters held for the memory workload.")
    var idleCounters: Int = 1_000_000

    @Option(help: "Pin udp_blast to this CPU (default: not pinned).")
    var senderCPU: Int?

    @Option(help: "Directory holding udp_blast.c.")
    var tools: String = "../shared/tools"

    @Option(name: .customLong("repeat"), help: "Repetitions of every workload; the table shows the median (min-max).")
    var repetitions: Int = 1

    @Option(help: "Markdown file to write the results into (section \"Statsd (issue 4)\"), e.g. BENCHMARKS.md.")
    var record: String?

    @Option(help: "Workloads to run, comma-separated: counters, timers, single, flush, memory, dogstatsd.")
    var only: String = "counters,timers,single,flush,memory,dogstatsd"

    func validate() throws {
        guard readerThreads >= 1, keys >= 1, seconds > 0, steps >= 1, singleRuns >= 1 else {
            throw ValidationError("counts and durations must be positive")
        }
        guard flushTimers >= 1, flushSamples >= 1, idleCounters >= 1, repetitions >= 1 else {
            throw ValidationError("counts must be positive")
        }
    }

    var workloads: Set<String> { Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

    func run() async throws {
        let commandLine = CommandLine.arguments.map(WhisperBenchmark.shellQuoted).joined(separator: " ")
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease)"
        let loadAtStart = Machine.loadAverage
        let startDate = Date()
        print("command: \(commandLine)")
        print("cwd:     \(FileManager.default.currentDirectoryPath)")
        print("machine: \(machine)")
        print("load:    \(loadAtStart)")

        let buildDir = try WhisperBenchmark.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: buildDir) }
        let udpBlast = try CTool.compile(source: tools + "/udp_blast.c", into: buildDir)

        var runner = StatsdRunner(options: self, udpBlast: udpBlast)
        for repetition in 0..<repetitions {
            if repetitions > 1 { print("--- repetition \(repetition + 1) of \(repetitions)") }
            try await runner.runAll()
        }

        let loadAtEnd = Machine.loadAverage
        let measured = runner.rows.filter { !$0.stoker.isEmpty }
        let table = ResultTable.markdown(measured, peerColumn: true)
        let failures = measured.filter { $0.passed == false }.count
        print("")
        print(table)
        print("")
        print("\(failures == 0 ? "all targets met" : "\(failures) workload(s) FAIL"); load at end: \(loadAtEnd)")

        if let record {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            let section = """
                Command (from the repository root): `\(commandLine)`

                - Date: \(formatter.string(from: startDate))
                - Machine: \(machine)
                - Load (`/proc/loadavg`, 1/5/15 min): \(loadAtStart) at start, \(loadAtEnd) at end
                - Server: StatsdServer in the bench process on 127.0.0.1, \(readerThreads) UDP reader \
                thread(s), default receive buffer, flushInterval 10 s, legacy namespace, percentThreshold [90]; \
                the sink adds up `stats_counts.bench.*`, `stats.timers.bench.*.count` and `statsd.udp_dropped` \
                of every flush (no carbon). After each run the server is flushed until the totals stop moving.
                - Sender: `udp_blast -m statsd -k \(keys) -d \(ResultRow.format(seconds))` \
                (\(senderCPU.map { "pinned to CPU \($0)" } ?? "not pinned"); it shares the 2 cores with the readers). \
                Stepped rows: the highest -L rate at which every line sent was flushed and udp_dropped stayed 0; \
                C column: the highest rate udp_blast reached in that search (sender ceiling).
                - Figures: median of the repetitions, (min-max) when more than one.

                \(table)

                \(failures == 0 ? "All targets met." : "\(failures) workload(s) below target.")
                """
            try MarkdownRecord.replace(section: section, heading: "## Statsd (issue 4)", in: record)
            print("recorded in \(record)")
        }
    }
}

/// Adds up what the flushes carry: the bench's counter counts, timer sample counts, and the
/// server's own `udp_dropped` / `metrics_received`.
final class FlushTotals: Sendable {
    struct Totals {
        var counterTotal = 0.0
        var timerSamples = 0.0
        var dropped = 0.0
        var received = 0.0
        /// Distinct bench counters in the last flush.
        var counterKeys = 0
        var flushes = 0
    }

    private let totals = Mutex(Totals())
    let counterPrefix: String
    let timerPrefix: String

    init(prefix: String) {
        counterPrefix = "stats_counts.\(prefix)."
        timerPrefix = "stats.timers.\(prefix)."
    }

    var snapshot: Totals { totals.withLock { $0 } }

    func absorb(_ output: StatsdFlushOutput) {
        var add = Totals()
        for point in output.datapoints {
            let name = point.name
            if name.hasPrefix(counterPrefix) {
                add.counterTotal += point.value
                add.counterKeys += 1
            } else if name.hasPrefix(timerPrefix) {
                if name.hasSuffix(".count") { add.timerSamples += point.value }
            } else if name == "stats_counts.statsd.udp_dropped" {
                add.dropped += point.value
            } else if name == "stats_counts.statsd.metrics_received" {
                add.received += point.value
            }
        }
        totals.withLock { t in
            t.counterTotal += add.counterTotal
            t.timerSamples += add.timerSamples
            t.dropped += add.dropped
            t.received += add.received
            t.counterKeys = add.counterKeys
            t.flushes += 1
        }
    }
}

/// Runs the statsd workloads and collects the rows.
private struct StatsdRunner {
    let options: StatsdBenchmark
    let udpBlast: String
    var rows: [ResultRow]

    enum Row: Int, CaseIterable {
        case counters, timers, single, singleLoss, flush, flushIntoCache, idleCounter, dogstatsdCounters, packedParse
    }

    /// DogStatsD's tags and container field, as a client in a container sends them; udp_blast
    /// writes its type argument after the `|`, so these ride along as the type's tail.
    static let dogstatsdFields = "c|#env:bench,host:a|c:3e7a1b2c4d5e"
    static let taggedFields = "c|#env:bench,host:a"

    init(options: StatsdBenchmark, udpBlast: String) {
        self.options = options
        self.udpBlast = udpBlast
        rows = Row.allCases.map { row in
            switch row {
            case .counters:
                return ResultRow(workload: "(a) counters, ~87 lines per 1400-B datagram: highest lossless rate", unit: .lines,
                                 minimumAbsolute: 6_000_000, peers: "brubeck ~3M; Etsy statsd ~0.15M")
            case .timers:
                return ResultRow(workload: "(b) timers, packed the same way: highest lossless rate", unit: .lines,
                                 minimumAbsolute: 3_000_000, peers: "brubeck loses 2.3 % at 1M")
            case .single:
                return ResultRow(workload: "(c) 1 counter line per datagram, sender unpaced: rate", unit: .datagrams, isReference: true,
                                 peers: "brubeck 0.20-0.26M lossless; Etsy statsd ~0.02M")
            case .singleLoss:
                return ResultRow(workload: "(c) 1 counter line per datagram, sender unpaced: lines lost", unit: .percent, maximumAbsolute: 0)
            case .flush:
                return ResultRow(workload: "StatsdState.flush, \(WhisperRunnerFormat.count(options.flushTimers)) timers x \(options.flushSamples) samples", unit: .milliseconds, isReference: true)
            case .flushIntoCache:
                return ResultRow(workload: "(f) that flush entering the cache (carbon's receive path, no writer), by name bytes in batches grouped by shard; C column: one point at a time as before",
                                 unit: .points, isReference: true)
            case .idleCounter:
                return ResultRow(workload: "RSS per idle counter (\(WhisperRunnerFormat.count(options.idleCounters)) distinct, after a flush)", unit: .bytesPerCounter, maximumAbsolute: 300)
            case .dogstatsdCounters:
                return ResultRow(workload: "(d) DogStatsD counters (tags, then a container field) in full 1400-B datagrams: highest lossless rate; C column: the same lines without the container field, same run",
                                 unit: .datagrams, minimumRatio: 0.9)
            case .packedParse:
                return ResultRow(workload: "(e) parser alone, DogStatsD packed counters (4 values a line, tags, container); C column: statsd counter lines with the same tags",
                                 unit: .samples, minimumRatio: 0.9)
            }
        }
    }

    mutating func add(_ row: Row, _ value: Double) { rows[row.rawValue].stoker.append(value) }

    mutating func runAll() async throws {
        let work = options.workloads
        // Memory first, in a process that has not held anything big yet.
        if work.contains("memory") { try await idleCounterMemory() }
        if work.contains("flush") { try flushTime() }
        if work.contains("dogstatsd") { packedParseRate() }
        guard !work.isDisjoint(with: ["counters", "timers", "single", "dogstatsd"]) else { return }
        let server = try await Server.start(options, prefix: "bench")
        defer { }
        if work.contains("counters") {
            let (best, ceiling) = try search(server, name: "(a) counters", type: "c", size: 1400, start: options.startCounters)
            if let best { add(.counters, best) } else { add(.counters, 0) }
            rows[Row.counters.rawValue].c.append(ceiling)
        }
        if work.contains("dogstatsd") {
            // The same tagged lines without the container field (statsd's own tag syntax), then with it.
            // Compared per datagram: the same 1400 bytes hold fewer of the longer DogStatsD lines.
            let (tagged, _) = try search(server, name: "(d) tagged counters", type: Self.taggedFields, size: 1400,
                                         start: options.startCounters / 2, datagrams: true)
            let (dogstatsd, _) = try search(server, name: "(d) DogStatsD counters", type: Self.dogstatsdFields, size: 1400,
                                            start: options.startCounters / 2, datagrams: true)
            add(.dogstatsdCounters, dogstatsd ?? 0)
            rows[Row.dogstatsdCounters.rawValue].c.append(tagged ?? 0)
        }
        if work.contains("timers") {
            let (best, ceiling) = try search(server, name: "(b) timers", type: "ms", size: 1400, start: options.startTimers)
            if let best { add(.timers, best) } else { add(.timers, 0) }
            rows[Row.timers.rawValue].c.append(ceiling)
        }
        if work.contains("single") {
            for run in 0..<options.singleRuns {
                log("(c) one line per datagram, unpaced, run \(run + 1) of \(options.singleRuns) (load \(Machine.loadAverage))")
                let step = try blast(server, type: "c", size: 24, linesPerSecond: nil)
                add(.single, step.sentDatagramsPerSecond)
                add(.singleLoss, step.lossPercent)
            }
        }
        await server.server.stop()
    }

    struct Step {
        var sentLines: Int
        var sentDatagramsPerSecond: Double
        var sentLinesPerSecond: Double
        var counted: Double
        var dropped: Double
        var lost: Double { Double(sentLines) - counted }
        var lossPercent: Double { Double(sentLines) > 0 ? max(0, lost) * 100 / Double(sentLines) : 0 }
        var lossless: Bool { lost <= 0 && dropped == 0 }
    }

    /// Steps udp_blast's -L rate to bracket the highest lossless rate. Returns the best lossless
    /// achieved lines/s (nil if none) and the highest rate the sender reached; with
    /// `datagrams`, the best lossless step's datagrams/s instead of lines/s.
    private func search(_ server: Server, name: String, type: String, size: Int, start: Double,
                        datagrams: Bool = false) throws -> (Double?, Double) {
        var rate = start
        var best: Double?
        var bestDatagrams: Double?
        var lowestLossy: Double?
        var ceiling = 0.0
        for index in 0..<options.steps {
            log("\(name): step \(index + 1), -L \(ResultRow.format(rate)) lines/s (load \(Machine.loadAverage))")
            let step = try blast(server, type: type, size: size, linesPerSecond: rate)
            ceiling = max(ceiling, step.sentLinesPerSecond)
            if step.lossless {
                if step.sentLinesPerSecond > (best ?? 0) { bestDatagrams = step.sentDatagramsPerSecond }
                best = max(best ?? 0, step.sentLinesPerSecond)
                // The sender could not go faster: nothing above to try.
                if step.sentLinesPerSecond < rate * 0.9 { break }
                if let lossy = lowestLossy, rate * 1.25 >= lossy {
                    // Bisect between this rate and the lowest lossy one.
                    if lossy / rate < 1.06 { break }
                    rate = (rate * lossy).squareRoot()
                } else {
                    rate *= 1.25
                }
            } else {
                lowestLossy = min(lowestLossy ?? .infinity, rate)
                if let best, rate / best < 1.06 { break }
                if let best { rate = (best * rate).squareRoot() } else { rate /= 1.25 }
            }
        }
        log("\(name): highest lossless \(best.map(ResultRow.format) ?? "none"), sender reached up to \(ResultRow.format(ceiling)) lines/s")
        return (datagrams ? bestDatagrams : best, ceiling)
    }

    /// One udp_blast run, then flushes until the totals stop moving.
    private func blast(_ server: Server, type: String, size: Int, linesPerSecond: Double?) throws -> Step {
        settle(server)
        let before = server.totals.snapshot
        var arguments = ["-p", String(server.port), "-m", "statsd", "-T", type, "-s", String(size), "-k", String(options.keys),
                         "-d", String(options.seconds), "-P", "bench", "-q"]
        if let linesPerSecond { arguments += ["-L", String(Int(linesPerSecond))] }
        if let cpu = options.senderCPU { arguments += ["-c", String(cpu)] }
        let result = try ChildProcess.run(udpBlast, arguments)
        guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "sent_lines"),
              let sent = Int(fields["sent_lines"] ?? ""),
              let dgramRate = Double(fields["dgram_per_s"] ?? ""), let lineRate = Double(fields["lines_per_s"] ?? "") else {
            throw BenchFailure("udp_blast exited with \(result.status): \(result.output)")
        }
        // udp_blast sends 1 for a plain `c` and other values for any other type text, so lines
        // with fields after the type are counted by statsd's own metrics_received.
        let countedKey: KeyPath<FlushTotals.Totals, Double> = type == "c" ? \.counterTotal
            : type.hasPrefix("c|") ? \.received : \.timerSamples
        // The kernel's drop count reaches a reader with its next datagram: make sure each reader
        // socket gets one after the run, so the drops are counted for this step, not the next.
        StatsdAdminClient.probeReaders(udpPort: server.port)
        let after = settle(server, until: before[keyPath: countedKey] + Double(sent), key: countedKey)
        let step = Step(sentLines: sent, sentDatagramsPerSecond: dgramRate, sentLinesPerSecond: lineRate,
                        counted: after[keyPath: countedKey] - before[keyPath: countedKey],
                        dropped: after.dropped - before.dropped)
        log(String(format: "  sent %@ lines/s (%@ datagrams/s, %.2f lines/datagram); flushed %.0f of %d lines, lost %.3f %%, udp_dropped %.0f: %@",
                   ResultRow.format(lineRate), ResultRow.format(dgramRate), Double(fields["lines_per_dgram"] ?? "") ?? 0,
                   step.counted, sent, step.lossPercent, step.dropped, step.lossless ? "lossless" : "LOSS"))
        return step
    }

    /// Flushes every 20 ms until `key` reaches `target`, or until it has not moved for 300 ms
    /// (what was not flushed by then is lost), and once more for the drop counter.
    @discardableResult
    private func settle(_ server: Server, until target: Double? = nil, key: KeyPath<FlushTotals.Totals, Double> = \.counterTotal) -> FlushTotals.Totals {
        var last = server.totals.snapshot
        var still = MonotonicClock.now()
        while true {
            server.server.flush()
            let now = server.totals.snapshot
            if let target, now[keyPath: key] >= target { break }
            if now[keyPath: key] != last[keyPath: key] || now.received != last.received {
                still = MonotonicClock.now()
            } else if MonotonicClock.now() - still > 0.3 {
                break
            }
            last = now
            usleep(20_000)
        }
        server.server.flush()
        return server.totals.snapshot
    }

    /// The parser alone: samples per second from statsd counter lines with tags and from
    /// DogStatsD lines packing four values with the same tags and a container field, 10 000
    /// keys, ~1400-byte packets.
    private mutating func packedParseRate() {
        func packets(_ line: (Int) -> String) -> [[UInt8]] {
            var all: [[UInt8]] = [], packet: [UInt8] = []
            for key in 0..<10_000 {
                let text = line(key)
                if packet.count + text.utf8.count > 1400 { all.append(packet); packet.removeAll() }
                packet.append(contentsOf: text.utf8)
            }
            return all + [packet]
        }
        func rate(_ packets: [[UInt8]], samplesPerLine: Int) -> Double {
            var parser = StatsdPacketParser(settings: StatsdSettings())
            var table = AggregationTable()
            var samples = 0
            let begin = MonotonicClock.now()
            while MonotonicClock.now() - begin < 2 {
                for packet in packets { parser.parse(packet, into: &table) }
                samples += 10_000 * samplesPerLine
                table.removeAll()
            }
            return Double(samples) / (MonotonicClock.now() - begin)
        }
        log("parser: statsd tagged counter lines vs DogStatsD packed lines (load \(Machine.loadAverage))")
        let etsy = rate(packets { "bench.k\($0):1|c|#env:bench,host:a\n" }, samplesPerLine: 1)
        let packed = rate(packets { "bench.k\($0):1:1:1:1|c|#env:bench,host:a|c:3e7a1b2c4d5e\n" }, samplesPerLine: 4)
        log("  statsd tagged \(ResultRow.format(etsy)) samples/s, DogStatsD packed \(ResultRow.format(packed)) samples/s")
        rows[Row.packedParse.rawValue].c.append(etsy)
        add(.packedParse, packed)
    }

    /// StatsdState.flush alone: `flushTimers` timers with `flushSamples` samples each.
    private mutating func flushTime() throws {
        var settings = StatsdSettings()
        settings.maxKeysPerInterval = max(settings.maxKeysPerInterval, options.flushTimers + 1000)
        var state = StatsdState(settings: settings, startupTime: Int(Date().timeIntervalSince1970))
        var parser = StatsdPacketParser(settings: settings)
        var reader = AggregationTable(maxKeys: settings.maxKeysPerInterval)
        log("flush: \(options.flushTimers) timers x \(options.flushSamples) samples (load \(Machine.loadAverage))")
        // Fill as a reader would: packets of ~1400 bytes, each timer's samples spread over the run.
        var packet: [UInt8] = []
        packet.reserveCapacity(1500)
        var sample = 0
        for round in 0..<options.flushSamples {
            for timer in 0..<options.flushTimers {
                let line = "bench.timer.k\(timer):\((sample &* 2654435761) % 1000 + round)|ms\n"
                sample += 1
                if packet.count + line.utf8.count > 1400 {
                    parser.parse(packet, into: &reader)
                    packet.removeAll(keepingCapacity: true)
                }
                packet.append(contentsOf: line.utf8)
            }
        }
        if !packet.isEmpty { parser.parse(packet, into: &reader) }
        state.absorb(&reader)
        let begin = MonotonicClock.now()
        let output = state.flush(timestamp: Int(Date().timeIntervalSince1970))
        let milliseconds = (MonotonicClock.now() - begin) * 1000
        let timerCounts = output.datapoints.filter { $0.name.hasPrefix("stats.timers.bench.timer.") && $0.name.hasSuffix(".count") }
        let samples = timerCounts.reduce(0) { $0 + $1.value }
        guard timerCounts.count == options.flushTimers, Int(samples) == options.flushTimers * options.flushSamples else {
            throw BenchFailure("flush reported \(timerCounts.count) timers and \(samples) samples")
        }
        log(String(format: "  %.1f ms for %d datapoints (%.2f us per timer); flush's own processing_time %.1f ms",
                   milliseconds, output.datapoints.count, milliseconds * 1000 / Double(options.flushTimers), output.processingTime))
        add(.flush, milliseconds)

        // The flush entering a cache as ServeCommand's sink hands it over: one point at a time
        // (what the sink did before issue 17) and by name bytes in batches.
        let timestamp = Double(output.timestamp)
        for batched in [false, true, false, true] {
            let cache = MetricCache(shardCount: 64)
            let intake = MetricIntake(cache: cache, timestampResolution: 1, filters: nil, logger: Logger(label: "bench"))
            let begin = MonotonicClock.now()
            if batched {
                intake.accept(output.datapoints, overflow: .drop) { ($0.name, $0.value, timestamp) }
            } else {
                for point in output.datapoints {
                    intake.accept(name: point.name, value: point.value, timestamp: timestamp, overflow: .drop)
                }
            }
            let rate = Double(output.datapoints.count) / (MonotonicClock.now() - begin)
            guard cache.size == output.datapoints.count else {
                throw BenchFailure("\(cache.size) points cached of \(output.datapoints.count)")
            }
            log(String(format: "  into the cache %@: %.2fM points/s", batched ? "in batches" : "one at a time", rate / 1e6))
            if batched { add(.flushIntoCache, rate) } else { rows[Row.flushIntoCache.rawValue].c.append(rate) }
        }
    }

    /// RSS delta once `idleCounters` distinct counters went through a server and a flush (they
    /// stay, idle, as statsd keeps counters unless deleteCounters).
    private mutating func idleCounterMemory() async throws {
        let prefix = "idle"
        let server = try await Server.start(options, prefix: prefix, maxKeys: options.idleCounters + 1000)
        usleep(200_000)
        settle(server)
        Machine.trimHeap()
        let before = Machine.residentBytes
        log("memory: \(options.idleCounters) distinct counters (load \(Machine.loadAverage), RSS \(mib(before)) MiB)")
        // Paced well below the lossless rate; every name is sent at least twice.
        var arguments = ["-p", String(server.port), "-m", "statsd", "-T", "c", "-s", "1400", "-k", String(options.idleCounters),
                         "-L", "1000000", "-d", String(max(2.5, 2.5 * Double(options.idleCounters) / 1_000_000)), "-P", prefix, "-q"]
        if let cpu = options.senderCPU { arguments += ["-c", String(cpu)] }
        let result = try ChildProcess.run(udpBlast, arguments)
        guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "sent_lines"),
              let sent = Double(fields["sent_lines"] ?? "") else {
            throw BenchFailure("udp_blast exited with \(result.status): \(result.output)")
        }
        let totals = settle(server, until: server.totals.snapshot.counterTotal + sent)
        // One more flush: every counter is now idle (value 0), held for the next interval.
        server.server.flush()
        let keys = server.totals.snapshot.counterKeys
        Machine.trimHeap()
        let after = Machine.residentBytes
        let perCounter = Double(after - before) / Double(keys)
        log(String(format: "  %d counters held (flushed total %.0f of %.0f sent), RSS %@ -> %@ MiB: %.0f bytes per idle counter",
                   keys, totals.counterTotal, sent, mib(before), mib(after), perCounter))
        guard keys >= options.idleCounters else {
            throw BenchFailure("only \(keys) of \(options.idleCounters) counters reached the server")
        }
        add(.idleCounter, perCounter)
        await server.server.stop()
        Machine.trimHeap()
    }

    private func mib(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}

/// A started StatsdServer, its UDP port and the sink's totals.
private struct Server {
    let server: StatsdServer
    let port: Int
    let totals: FlushTotals

    /// UDP on 127.0.0.1 (free port), TCP input and admin off, no upstream.
    static func start(_ options: StatsdBenchmark, prefix: String, maxKeys: Int? = nil) async throws -> Server {
        var settings = StatsdServerSettings()
        settings.address = "127.0.0.1"
        settings.port = 0
        settings.tcpPort = 0
        settings.managementPort = 0
        settings.readerThreads = options.readerThreads
        if let maxKeys { settings.statsd.maxKeysPerInterval = max(settings.statsd.maxKeysPerInterval, maxKeys) }
        var logger = Logger(label: "stoker-bench.statsd")
        logger.logLevel = .warning
        let totals = FlushTotals(prefix: prefix)
        let server = StatsdServer(settings: settings, logger: logger, sink: { totals.absorb($0) })
        let bound = try await server.start()
        guard let port = bound.first(where: { $0.name == "statsd-udp" })?.port else {
            throw BenchFailure("the statsd UDP listener did not start: \(bound.map(\.name))")
        }
        return Server(server: server, port: port, totals: totals)
    }
}
