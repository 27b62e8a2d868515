import ArgumentParser
import Glibc
import Foundation

/// `stoker-bench soak` (issue 7): a release `stoker serve` (statsd + carbon, whisper files in a
/// scratch directory, a bounded MAX_CACHE_SIZE) under steady statsd and plaintext load for
/// --minutes, sampled every --sample-seconds: RSS, the cache, the writer, the last statsd
/// flush's duration, drops. Passes if RSS after warm-up grows no more than the configured
/// cache could still take.
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Soak: steady statsd + plaintext load for --minutes; RSS, cache, flush latency and drops sampled.",
        discussion: """
            Load: udp_blast statsd counters (1400-byte datagrams, --statsd-keys names) at \
            --statsd-rate for the whole run, and back-to-back tcp_blast runs (~10 s each, one \
            point per metric per round, --carbon-metrics names) at --carbon-rate. The defaults \
            are half the rates recorded in BENCHMARKS.md: Statsd (a) highest lossless 12.4M \
            lines/s, Carbon (a) received 1.63M points/s. Every sample: VmRSS of the child, one \
            manhole exec (cache size and metrics, cache.overflow, writer counters), statsd admin \
            `stats` (graphite.flush_time of the last flush). After the run Stoker is stopped \
            (final flush, cache drained) and statsd's own counters are read back from their \
            whisper files (1-second archive): lines received against lines sent, udp_dropped, \
            and every flush's flush_time.
            """
    )

    @Option(help: "Length of the load in minutes.")
    var minutes: Double = 30

    @Option(help: "Seconds between samples.")
    var sampleSeconds: Double = 10

    @Option(help: "Seconds of warm-up before the RSS bound applies (default: a sixth of the run, at least 30); it lasts until a sample shows no file created since the one before.")
    var warmUpSeconds: Double?

    @Option(help: "statsd lines/s (udp_blast -L). Default: half of 12.4M, the highest lossless rate in BENCHMARKS.md's Statsd block.")
    var statsdRate: Double = 6_200_000

    @Option(help: "Plaintext points/s (tcp_blast -R). Default: half of 1.63M, the received rate of Carbon (a) in BENCHMARKS.md.")
    var carbonRate: Double = 815_000

    @Option(help: "Distinct statsd counter names.")
    var statsdKeys: Int = 10_000

    @Option(help: "Distinct plaintext metric names (files created in the first minute, then updated).")
    var carbonMetrics: Int = 100_000

    @Option(help: "MAX_CACHE_SIZE of the child (points; flow control on).")
    var maxCacheSize: Int = 2_000_000

    @Option(help: "RSS allowed per cached point the cache could still take (Carbon block: 13 B heap, 19-38 B RSS).")
    var bytesPerCachedPoint: Double = 40

    @Option(help: "RSS allowed per cached metric the cache could still take (Carbon block: ~290 B).")
    var bytesPerCachedMetric: Double = 300

    @Option(name: .customLong("slack-mib"), help: "MiB of RSS growth allowed after warm-up on top of the cache's headroom (malloc arenas, thread stacks).")
    var slackMebibytes: Double = 16

    @Option(help: "Directory holding udp_blast.c and tcp_blast.c.")
    var tools: String = "../shared/tools"

    @Option(help: "The stoker binary (default: `stoker` next to this executable).")
    var stoker: String?

    @Option(help: "Markdown file to write the results into (section \"Soak (issue 7)\"), e.g. BENCHMARKS.md.")
    var record: String?

    @Option(help: "CSV file for every sample.")
    var csv: String?

    @Flag(help: "Keep the scratch directory (config, log, whisper files) instead of removing it.")
    var keepData = false

    var totalSeconds: Double { minutes * 60 }
    var warmUp: Double { warmUpSeconds ?? max(30, totalSeconds / 6) }
    /// Every statsd counter gives two metrics; statsd's and carbon's own add a few dozen.
    var expectedMetrics: Int { carbonMetrics + 2 * statsdKeys + 100 }

    func validate() throws {
        guard minutes > 0, minutes <= 300 else { throw ValidationError("--minutes must be in (0, 300] (the statsd self-metrics archive holds 6 h)") }
        guard sampleSeconds >= 1, statsdRate > 0, carbonRate > 0, statsdKeys >= 1, carbonMetrics >= 1, maxCacheSize >= 1 else {
            throw ValidationError("rates, counts and the sample interval must be positive")
        }
        guard warmUp < totalSeconds else { throw ValidationError("the warm-up (\(Int(warmUp)) s) must end before the run does") }
    }

    func run() async throws {
        let commandLine = CommandLine.arguments.map(WhisperBenchmark.shellQuoted).joined(separator: " ")
        let limit = Machine.raiseOpenFileLimit()
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease), RLIMIT_NOFILE \(limit.soft)/\(limit.hard)"
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
        let dataDirectory = scratch + "/whisper"

        let ports = (line: try Machine.freeLoopbackPort(), statsd: try Machine.freeLoopbackPort(udp: true),
                     admin: try Machine.freeLoopbackPort(), manhole: try Machine.freeLoopbackPort())
        let config = try StokerChild.writeConfig(in: scratch, cache: [
            ("STORAGE_DIR", scratch + "/storage"), ("LOCAL_DATA_DIR", dataDirectory),
            ("LINE_RECEIVER_INTERFACE", "127.0.0.1"), ("LINE_RECEIVER_PORT", "\(ports.line)"),
            ("PICKLE_RECEIVER_PORT", "0"), ("CACHE_QUERY_PORT", "0"), ("ENABLE_UDP_LISTENER", "False"),
            ("MAX_CACHE_SIZE", "\(maxCacheSize)"), ("USE_FLOW_CONTROL", "True"),
            ("WHISPER_FALLOCATE_CREATE", "False"), ("WHISPER_SPARSE_CREATE", "True"),
            ("ENABLE_MANHOLE", "True"), ("MANHOLE_INTERFACE", "127.0.0.1"), ("MANHOLE_PORT", "\(ports.manhole)"),
            ("MANHOLE_USER", "admin"), ("MANHOLE_PUBLIC_KEY", publicKey), ("MANHOLE_HOST_KEY_DIR", scratch + "/hostkeys"),
        ], statsd: [
            ("address", "127.0.0.1"), ("port", "\(ports.statsd)"), ("tcp_port", "0"),
            ("mgmt_address", "127.0.0.1"), ("mgmt_port", "\(ports.admin)"), ("flushInterval", "10000"),
        ], schemas: Self.schemas)

        let child = try StokerChild.start(binary: stoker ?? StokerChild.defaultBinary, config: config, logPath: scratch + "/stoker.log")
        defer { child.stop() }
        print("stoker: \(child.binary), pid \(child.pid), data \(dataDirectory), MAX_CACHE_SIZE \(maxCacheSize)")
        let ssh = ManholeSSH(port: ports.manhole, key: key, user: "admin")

        var soak = SoakRun(options: self, child: child, ssh: ssh, adminPort: ports.admin, dataDirectory: dataDirectory)
        try soak.run(udpBlast: udpBlast, tcpBlast: tcpBlast, statsdPort: ports.statsd, linePort: ports.line)

        let loadAtEnd = Machine.loadAverage
        let report = SoakReport(options: self, run: soak)
        print("")
        print(report.summary)
        print("")
        print(ResultTable.markdown(report.rows))
        print("")
        print("\(report.passed ? "PASS" : "FAIL"): \(report.verdict); load at end: \(loadAtEnd)")
        if let csv {
            try ([SoakSample.csvHeader] + soak.samples.map(\.csvLine)).joined(separator: "\n").appending("\n")
                .write(toFile: csv, atomically: true, encoding: .utf8)
            print("samples written to \(csv)")
        }
        if let record {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            let section = """
                Command (from the repository root): `\(commandLine)`

                - Date: \(formatter.string(from: startDate))
                - Machine: \(machine)
                - Load (`/proc/loadavg`, 1/5/15 min): \(loadAtStart) at start, \(loadAtEnd) at end
                - Server: release `stoker serve` as a child process on 127.0.0.1: statsd (2 UDP readers, flushInterval 10 s) \
                into the cache, plaintext receiver, MAX_CACHE_SIZE \(maxCacheSize) with flow control, sorted writer, sparse creates, \
                schemas `60s:1d` (statsd's own metrics `1s:6h`), manhole on.
                - Load: `udp_blast -m statsd -T c -s 1400 -k \(statsdKeys) -L \(Int(statsdRate))` for the whole run and back-to-back \
                `tcp_blast -k \(carbonMetrics) -s 1 -R \(Int(carbonRate))` runs of ~10 s (half the rates recorded above: Statsd (a) \
                12.4M lines/s lossless, Carbon (a) 1.63M points/s received).
                - Samples every \(ResultRow.format(sampleSeconds)) s: VmRSS, one manhole exec (cache, writer counters), statsd admin \
                `stats` (`graphite.flush_time`: absorb + compute + store of the last flush). Warm-up \(ResultRow.format(warmUp)) s. \
                Below: one sample a minute\(csv.map { "; every sample in `\($0)`" } ?? "").

                \(report.summary)

                \(ResultTable.markdown(report.rows))

                \(report.passed ? "PASS" : "**FAIL**"): \(report.verdict)

                \(SoakSample.markdownHeader)
                \(soak.minuteSamples.map(\.markdownLine).joined(separator: "\n"))
                """
            try MarkdownRecord.replace(section: section, heading: "## Soak (issue 7)", in: record)
            print("recorded in \(record)")
        }
    }

    /// statsd's own metrics at 1 s so every 10-s flush keeps its own slot; everything else 60 s.
    static let schemas = """
        [statsd_self]
        pattern = ^stats(_counts)?\\.statsd\\.
        retentions = 1s:6h

        [default]
        pattern = .*
        retentions = 60s:1d

        """
}
