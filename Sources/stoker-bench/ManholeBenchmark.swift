import ArgumentParser
import Glibc
import Foundation

/// `stoker-bench manhole` (issue 5): a release `stoker serve` with the manhole enabled, driven by
/// the real OpenSSH client. Exec round-trip latency, and statsd ingest with and without a
/// session running `MetricCache.counts()` in a loop.
struct ManholeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manhole",
        abstract: "Manhole: exec round trips with OpenSSH, and statsd ingest beside a busy session.",
        discussion: """
            Starts the release `stoker` (next to this executable, or --stoker) on free loopback \
            ports with the manhole enabled for a fresh ed25519 key, preloads the cache with \
            --cache-metrics metrics over plaintext (writer held back, so the cache keeps them), \
            then (1) times --round-trips `ssh ... admin@127.0.0.1 COMMAND` execs, and the same \
            number of `ssh 127.0.0.1 true` against the system's sshd when one answers on \
            --sshd-port and accepts the client's own key (nothing is started or installed); \
            (2) sends udp_blast statsd counters at a fixed -L rate for --seconds, counting what \
            statsd aggregated (its admin `counters`), with no session and with one `ssh -T` \
            session running --session-command in a loop; --repeat runs of each, alternating.
            """
    )

    @Option(help: "Timed exec round trips.")
    var roundTrips: Int = 50

    @Option(help: "The manhole command of each round trip.")
    var command: String = "MetricCache.size"

    @Option(help: "Port of the system's sshd to compare with (skipped when nothing answers there).")
    var sshdPort: Int = 22

    @Option(help: "Metrics preloaded into the cache (one point each) before the measurements.")
    var cacheMetrics: Int = 20_000

    @Option(help: "Distinct statsd counter names udp_blast cycles over.")
    var keys: Int = 10_000

    @Option(help: """
        Offered statsd load, lines/s (udp_blast -L; counters packed into 1400-byte datagrams). Default: a quarter of the \
        highest lossless rate in BENCHMARKS.md (Statsd (a), 12.4M): at half, udp_blast and the reader already fill both \
        cores of a 2-core machine, so whatever CPU the session takes comes straight out of the reader.
        """)
    var linesPerSecond: Double = 3_000_000

    @Option(help: "Seconds udp_blast sends per ingest run.")
    var seconds: Double = 5

    @Option(name: .customLong("repeat"), help: "Ingest runs of each side (alternating which goes first); the table shows medians (min-max).")
    var repetitions: Int = 3

    @Option(help: "What the busy session runs in a loop.")
    var sessionCommand: String = "MetricCache.counts()"

    @Option(help: "Parts to run, comma-separated: latency, ingest.")
    var only: String = "latency,ingest"

    @Option(help: "Directory holding udp_blast.c and tcp_blast.c.")
    var tools: String = "../shared/tools"

    @Option(help: "The stoker binary (default: `stoker` next to this executable).")
    var stoker: String?

    @Option(help: "Markdown file to write the results into (section \"Manhole (issue 5)\"), e.g. BENCHMARKS.md.")
    var record: String?

    @Flag(help: "Keep the scratch directory (config, log, whisper files) instead of removing it.")
    var keepData = false

    func validate() throws {
        guard roundTrips >= 1, cacheMetrics >= 1, keys >= 1, linesPerSecond > 0, seconds > 0, repetitions >= 1 else {
            throw ValidationError("counts, rates and durations must be positive")
        }
    }

    var parts: Set<String> { Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

    func run() async throws {
        let commandLine = CommandLine.arguments.map(WhisperBenchmark.shellQuoted).joined(separator: " ")
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease)"
        let loadAtStart = Machine.loadAverage
        let startDate = Date()
        print("command: \(commandLine)")
        print("cwd:     \(FileManager.default.currentDirectoryPath)")
        print("machine: \(machine)")
        print("load:    \(loadAtStart)")

        let scratch = try WhisperBenchmark.makeTemporaryDirectory()
        defer { if keepData { print("kept \(scratch)") } else { try? FileManager.default.removeItem(atPath: scratch) } }
        let udpBlast = try CTool.compile(source: tools + "/udp_blast.c", into: scratch)
        let tcpBlast = try CTool.compile(source: tools + "/tcp_blast.c", into: scratch)
        let (key, publicKey) = try ManholeSSH.makeKeyPair(in: scratch)

        let ports = (line: try Machine.freeLoopbackPort(), statsd: try Machine.freeLoopbackPort(udp: true),
                     admin: try Machine.freeLoopbackPort(), manhole: try Machine.freeLoopbackPort())
        let config = try StokerChild.writeConfig(in: scratch, cache: [
            ("STORAGE_DIR", scratch + "/storage"), ("LOCAL_DATA_DIR", scratch + "/whisper"),
            ("LINE_RECEIVER_INTERFACE", "127.0.0.1"), ("LINE_RECEIVER_PORT", "\(ports.line)"),
            ("PICKLE_RECEIVER_PORT", "0"), ("CACHE_QUERY_PORT", "0"), ("ENABLE_UDP_LISTENER", "False"),
            ("CARBON_METRIC_INTERVAL", "0"),
            // The writer is held back so the preloaded metrics stay cached for counts().
            ("MAX_UPDATES_PER_SECOND", "0.001"), ("MAX_UPDATES_PER_SECOND_ON_SHUTDOWN", "inf"),
            ("WHISPER_FALLOCATE_CREATE", "False"), ("WHISPER_SPARSE_CREATE", "True"),
            ("ENABLE_MANHOLE", "True"), ("MANHOLE_INTERFACE", "127.0.0.1"), ("MANHOLE_PORT", "\(ports.manhole)"),
            ("MANHOLE_USER", "admin"), ("MANHOLE_PUBLIC_KEY", publicKey), ("MANHOLE_HOST_KEY_DIR", scratch + "/hostkeys"),
        ], statsd: [
            ("address", "127.0.0.1"), ("port", "\(ports.statsd)"), ("tcp_port", "0"),
            ("mgmt_address", "127.0.0.1"), ("mgmt_port", "\(ports.admin)"),
            // No flush during the runs: the admin `counters` totals are what statsd aggregated.
            ("flushInterval", "3600000"),
        ], schemas: "[default]\npattern = .*\nretentions = 60s:1d\n")

        let child = try StokerChild.start(binary: stoker ?? StokerChild.defaultBinary, config: config, logPath: scratch + "/stoker.log")
        defer { child.stop() }
        print("stoker: \(child.binary), pid \(child.pid), manhole 127.0.0.1:\(ports.manhole), statsd udp \(ports.statsd), admin \(ports.admin)")
        let ssh = ManholeSSH(port: ports.manhole, key: key, user: "admin")

        var runner = ManholeRunner(options: self, ssh: ssh, child: child, udpBlast: udpBlast, statsdPort: ports.statsd, adminPort: ports.admin)
        try runner.preload(tcpBlast: tcpBlast, linePort: ports.line)
        if parts.contains("latency") { try runner.latency() }
        if parts.contains("ingest") {
            for repetition in 0..<repetitions {
                print("--- ingest repetition \(repetition + 1) of \(repetitions)")
                for withSession in repetition % 2 == 0 ? [false, true] : [true, false] {
                    try runner.ingest(withSession: withSession)
                }
            }
            runner.addRatio()
        }

        let status = child.stop()
        guard status == 0 else { throw BenchFailure("stoker exited with \(status):\n\(child.logTail())") }
        let loadAtEnd = Machine.loadAverage
        let measured = runner.rows.filter { !$0.stoker.isEmpty }
        let table = ResultTable.markdown(measured, peerColumn: true)
        let failures = measured.filter { $0.passed == false }.count
        print("")
        print(table)
        print("")
        for note in runner.notes { print("note: \(note)") }
        print("\(failures == 0 ? "all targets met" : "\(failures) workload(s) FAIL"); load at end: \(loadAtEnd)")

        if let record {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            let section = """
                Command (from the repository root): `\(commandLine)`

                - Date: \(formatter.string(from: startDate))
                - Machine: \(machine); client OpenSSH `\(runner.clientVersion)`
                - Load (`/proc/loadavg`, 1/5/15 min): \(loadAtStart) at start, \(loadAtEnd) at end
                - Server: release `stoker serve` as a child process on 127.0.0.1, manhole for one fresh \
                ed25519 key, statsd with 2 UDP readers and flushInterval 1 h (no flush during the runs), \
                cache preloaded with \(cacheMetrics) metrics (writer held back).
                - Round trips: `ssh -n -p PORT -i KEY -o BatchMode=yes admin@127.0.0.1 '\(command)'`, wall time \
                from spawning the client to its exit, one warm-up first. C column: \(runner.sshdDescription).
                - Ingest: `udp_blast -m statsd -T c -s 1400 -k \(keys) -L \(Int(linesPerSecond)) -d \(ResultRow.format(seconds))`; \
                aggregated = growth of the `bench.*` counters in statsd's admin `counters` after the run \
                (C column: the rate udp_blast sent). Session: one `ssh -T` running `\(sessionCommand)` \
                back to back for the whole run. \(repetitions) run(s) of each side, alternating.
                - Figures: median of the runs, (min-max) when more than one.

                \(table)

                \(runner.notes.map { "- \($0)" }.joined(separator: "\n"))

                \(failures == 0 ? "All targets met." : "\(failures) workload(s) below target.")
                """
            try MarkdownRecord.replace(section: section, heading: "## Manhole (issue 5)", in: record)
            print("recorded in \(record)")
        }
    }
}

/// Runs the manhole measurements against one child Stoker and collects the rows.
private struct ManholeRunner {
    let options: ManholeBenchmark
    let ssh: ManholeSSH
    let child: StokerChild
    let udpBlast: String
    let statsdPort: Int
    let adminPort: Int
    var rows: [ResultRow]
    var notes: [String] = []
    var sshdDescription = "no system sshd measured"
    var clientVersion = "unknown"

    enum Row: Int, CaseIterable {
        case median, p99, alone, session, ratio, lossAlone, lossSession, sessionCall
    }

    init(options: ManholeBenchmark, ssh: ManholeSSH, child: StokerChild, udpBlast: String, statsdPort: Int, adminPort: Int) {
        self.options = options
        self.ssh = ssh
        self.child = child
        self.udpBlast = udpBlast
        self.statsdPort = statsdPort
        self.adminPort = adminPort
        let load = "-L \(ResultRow.format(options.linesPerSecond)) lines/s"
        rows = Row.allCases.map { row in
            switch row {
            case .median:
                return ResultRow(workload: "exec round trip `'\(options.command)'` (\(options.roundTrips) runs): median", unit: .milliseconds,
                                 maximumAbsolute: 30, peers: "OpenSSH sshd here: 370-650 ms for `true` (docs/limits.md §3)")
            case .p99:
                return ResultRow(workload: "exec round trip `'\(options.command)'` (\(options.roundTrips) runs): p99", unit: .milliseconds, isReference: true)
            case .alone:
                return ResultRow(workload: "statsd ingest at \(load), no session: aggregated", unit: .lines, isReference: true)
            case .session:
                return ResultRow(workload: "statsd ingest at \(load), session running `\(options.sessionCommand)` in a loop: aggregated", unit: .lines, isReference: true)
            case .ratio:
                return ResultRow(workload: "ingest with the session / without (medians)", unit: .percent, minimumAbsolute: 95)
            case .lossAlone:
                return ResultRow(workload: "lines lost, no session", unit: .percent, isReference: true)
            case .lossSession:
                return ResultRow(workload: "lines lost, with the session", unit: .percent, isReference: true)
            case .sessionCall:
                return ResultRow(workload: "one `\(options.sessionCommand)` in the session (\(options.cacheMetrics) metrics cached), answer read", unit: .milliseconds, isReference: true)
            }
        }
    }

    mutating func add(_ row: Row, _ value: Double) { rows[row.rawValue].stoker.append(value) }

    /// Fills the cache with one point for each of `cacheMetrics` metrics and waits until the
    /// manhole sees them all.
    mutating func preload(tcpBlast: String, linePort: Int) throws {
        let version = try ChildProcess.run("sh", ["-c", "ssh -V 2>&1"]).output
        clientVersion = version.trimmingCharacters(in: .whitespacesAndNewlines)
        log("preload: \(options.cacheMetrics) metrics over plaintext")
        let result = try ChildProcess.run(tcpBlast, ["-p", String(linePort), "-k", String(options.cacheMetrics), "-r", "1", "-s", "60", "-P", "cached", "-q"])
        guard result.status == 0 else { throw BenchFailure("tcp_blast exited with \(result.status): \(result.output)") }
        let deadline = MonotonicClock.now() + 60
        while true {
            let answer = try ssh.exec("len(MetricCache)")
            guard answer.status == 0 else { throw BenchFailure("manhole exec failed (exit \(answer.status)): \(answer.output)\n\(child.logTail())") }
            let cached = Int(answer.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if cached >= options.cacheMetrics {
                log("  \(cached) metrics cached")
                break
            }
            if MonotonicClock.now() > deadline { throw BenchFailure("only \(cached) of \(options.cacheMetrics) metrics reached the cache") }
            usleep(100_000)
        }
        // A session command that fails would fill the terminal with tracebacks in the loop.
        let check = try ssh.exec(options.sessionCommand)
        guard check.status == 0 else { throw BenchFailure("the session command `\(options.sessionCommand)` failed (exit \(check.status))") }
    }

    /// Timed exec round trips into the manhole, then the same against the system's sshd.
    mutating func latency() throws {
        log("latency: \(options.roundTrips) x ssh '\(options.command)' (load \(Machine.loadAverage))")
        _ = try ssh.exec(options.command)
        var times: [Double] = []
        for _ in 0..<options.roundTrips {
            let trip = try ssh.exec(options.command)
            guard trip.status == 0 else { throw BenchFailure("manhole exec `\(options.command)` exited with \(trip.status): \(trip.output)") }
            times.append(trip.seconds * 1000)
        }
        let manhole = LatencySummary(milliseconds: times)
        log("  manhole: \(manhole.text)")
        add(.median, manhole.median)
        add(.p99, manhole.percentile(99))

        let port = options.sshdPort
        guard ManholeSSH.sshServerListening(port: port) else {
            sshdDescription = "none (no sshd answered on 127.0.0.1:\(port); the reference figure is in the peers column)"
            notes.append("No system sshd on 127.0.0.1:\(port): the sshd comparison was skipped.")
            log("  no sshd on 127.0.0.1:\(port): comparison skipped")
            return
        }
        let system = ManholeSSH(port: port, key: nil, user: nil)
        let probe = try system.exec("true")
        guard probe.status == 0 else {
            sshdDescription = "none (the sshd on 127.0.0.1:\(port) refused the client's own keys)"
            notes.append("The sshd on 127.0.0.1:\(port) refused the client's own keys (exit \(probe.status)): comparison skipped.")
            log("  sshd on 127.0.0.1:\(port) refused the client's own keys: comparison skipped")
            return
        }
        var sshdTimes: [Double] = []
        for _ in 0..<options.roundTrips {
            let trip = try system.exec("true")
            guard trip.status == 0 else { throw BenchFailure("ssh 127.0.0.1 true exited with \(trip.status)") }
            sshdTimes.append(trip.seconds * 1000)
        }
        let sshd = LatencySummary(milliseconds: sshdTimes)
        log("  system sshd (`true`): \(sshd.text)")
        rows[Row.median.rawValue].c.append(sshd.median)
        rows[Row.p99.rawValue].c.append(sshd.percentile(99))
        sshdDescription = "the system's sshd on 127.0.0.1:\(port) running `true`, same client and count, measured in this run"
    }

    /// One udp_blast run at the fixed rate, with or without the busy session.
    mutating func ingest(withSession: Bool) throws {
        let name = withSession ? "with session" : "no session"
        log("ingest, \(name): -L \(ResultRow.format(options.linesPerSecond)) lines/s for \(ResultRow.format(options.seconds)) s (load \(Machine.loadAverage))")
        let before = try counterTotals()
        var session: ManholeSessionLoop?
        if withSession {
            let loop = try ManholeSessionLoop(ssh: ssh, command: options.sessionCommand)
            session = loop
            // The session is busy before the load starts.
            let deadline = MonotonicClock.now() + 30
            while loop.snapshot.calls < 1 {
                if let failure = loop.snapshot.failure { throw BenchFailure("manhole session: \(failure)") }
                if MonotonicClock.now() > deadline { _ = try? loop.stop(); throw BenchFailure("the manhole session answered nothing in 30 s") }
                usleep(10_000)
            }
        }
        let result = try ChildProcess.run(udpBlast, ["-p", String(statsdPort), "-m", "statsd", "-T", "c", "-s", "1400",
                                                      "-k", String(options.keys), "-L", String(Int(options.linesPerSecond)),
                                                      "-d", String(options.seconds), "-P", "bench", "-q"])
        guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "sent_lines"),
              let sent = Double(fields["sent_lines"] ?? ""), let sentRate = Double(fields["lines_per_s"] ?? ""), sentRate > 0 else {
            _ = try? session?.stop()
            throw BenchFailure("udp_blast exited with \(result.status): \(result.output)")
        }
        StatsdAdminClient.probeReaders(udpPort: statsdPort)
        let after = try settle(from: before, expecting: sent)
        let sessionTotals = try session?.stop()

        let counted = after.lines - before.lines
        let dropped = after.dropped - before.dropped
        let sendingSeconds = sent / sentRate
        let aggregated = counted / sendingSeconds
        let loss = max(0, sent - counted) * 100 / sent
        var line = String(format: "  sent %.0f lines at %@ lines/s; statsd aggregated %.0f (%@ lines/s), lost %.3f %%, udp_dropped %.0f",
                          sent, ResultRow.format(sentRate), counted, ResultRow.format(aggregated), loss, dropped)
        if let totals = sessionTotals {
            let perCall = totals.calls > 0 ? totals.seconds * 1000 / Double(totals.calls) : 0
            line += String(format: "\n  session: %d calls of `%@`, %.1f ms each, %.1f MB of answers",
                           totals.calls, options.sessionCommand, perCall, Double(totals.outputBytes) / 1e6)
            if totals.calls > 0 { add(.sessionCall, perCall) }
        }
        log(line)
        let row: Row = withSession ? .session : .alone
        rows[row.rawValue].c.append(sentRate)
        add(row, aggregated)
        add(withSession ? .lossSession : .lossAlone, loss)
        if !withSession && (loss > 0 || dropped > 0) {
            notes.append(String(format: "A run without the session lost %.3f %% at %@ lines/s: the offered load is not lossless on this machine, so the comparison mixes capacity with interference (lower --lines-per-second).", loss, ResultRow.format(options.linesPerSecond)))
        }
    }

    /// With and without the session, as a percentage of the medians.
    mutating func addRatio() {
        guard let alone = rows[Row.alone.rawValue].stokerMedian, let busy = rows[Row.session.rawValue].stokerMedian, alone > 0 else { return }
        add(.ratio, busy / alone * 100)
    }

    struct CounterTotals {
        var lines = 0.0
        var dropped = 0.0
    }

    /// The bench counters' total and statsd's udp_dropped, from the admin `counters`.
    private func counterTotals() throws -> CounterTotals {
        let counters = try StatsdAdminClient.counters(port: adminPort)
        var totals = CounterTotals()
        for (name, value) in counters where name.hasPrefix("bench.") { totals.lines += value }
        totals.dropped = counters["statsd.udp_dropped"] ?? 0
        return totals
    }

    /// Polls the counters until every line sent is counted, or they stop moving for 300 ms.
    private func settle(from before: CounterTotals, expecting sent: Double) throws -> CounterTotals {
        var last = try counterTotals()
        var still = MonotonicClock.now()
        while last.lines - before.lines < sent {
            usleep(50_000)
            let now = try counterTotals()
            if now.lines != last.lines || now.dropped != last.dropped {
                still = MonotonicClock.now()
            } else if MonotonicClock.now() - still > 0.3 {
                break
            }
            last = now
        }
        return last
    }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}
