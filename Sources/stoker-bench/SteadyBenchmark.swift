import ArgumentParser
import Foundation
import Glibc

/// `stoker-bench steady` (issue 17): N series, each updated once per interval, for a duration;
/// whether the cache stays flat, the CPU per 100 k updates/s, the RSS per series and how long a
/// point takes to reach its file. A burst benchmark says how fast the cache drains; this says
/// how many hosts one Stoker can serve.
struct SteadyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steady",
        abstract: "Steady state: N series, one point each per interval, for a duration; flat cache, CPU, RSS per series, delay to disk.",
        discussion: """
            Plaintext mode: --connections connections each send one point for each of \
            N/connections series per interval (timestamps on the interval grid), every line at its \
            moment of a schedule spread over the interval (tcp_blast paces per 256 KiB buffer, \
            seconds ahead of time at 100 k series). Statsd mode: two udp_blast processes send --counters counters and --timers \
            timers, ten samples each per flush interval, into statsd (series: 2 per counter, 14 \
            per timer). The files exist beforehand (a preparation run of the same Stoker creates \
            them, once per data directory). Each N runs in a fresh `stoker serve` with the \
            embedded defaults but for the ports, the data directory and the schema \
            (`10s:1h`). Over the second half of the run: the cache's least-squares slope, the \
            child's CPU (its /metrics), its RSS against an empty Stoker's, and, for probe series \
            read back from their files, the time from sending (plaintext) or the flush \
            (statsd) to the point being in the file. Sustained: the senders kept their pace and \
            the cache grew by less than 2 % of the update rate.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case plaintext, statsd }

    @Option(help: "plaintext or statsd.")
    var mode: Mode = .plaintext

    @Option(help: "Plaintext: series counts to run, comma-separated (e.g. 100000,1000000).")
    var series: String = "100000,1000000"

    @Option(help: "Statsd: counters per flush (each 10 samples per interval; 2 series each).")
    var counters: Int = 200_000

    @Option(help: "Statsd: timers per flush (each 10 samples per interval; 14 series each with the default percentThreshold).")
    var timers: Int = 100_000

    @Flag(help: "Plaintext: after the listed counts, raise N by 25 % while sustained, then halve the gap to the first failure twice.")
    var search = false

    @Option(help: "Plaintext connections (the preparation run sends through tcp_blast, one per connection).")
    var connections: Int = 4

    @Option(help: "Seconds between a series' points (statsd: the flush interval).")
    var interval: Int = 10

    @Option(help: "Seconds of load per N (the second half is measured).")
    var seconds: Int = 180

    @Option(help: "Seconds between samples of /metrics.")
    var sampleSeconds: Double = 2

    @Flag(help: "Write-ahead log on (WAL_DIR = STORAGE_DIR/wal, WAL_FSYNC_INTERVAL 1).")
    var wal = false

    @Option(help: "RLIMIT_NOFILE for the measured Stoker, as systemd's LimitNOFILE (deploy/systemd/stoker.service: 1048576); needs root. Default: this shell's hard limit.")
    var openFiles: UInt64?

    @Option(name: .customLong("set"), help: "Extra [cache] key for the measured Stoker, KEY=VALUE (repeatable).")
    var extraKeys: [String] = []

    @Option(help: "Data directory kept between runs, one subdirectory per load (default: a scratch directory removed at the end). Preparation is skipped for a load whose files exist.")
    var dataDirectory: String?

    @Option(help: "Directory holding udp_blast.c and tcp_blast.c.")
    var tools: String = "../shared/tools"

    @Option(help: "The stoker binary (default: `stoker` next to this executable).")
    var stoker: String?

    @Option(help: "Markdown file to write the results into (section \"Steady state (issue 17)\" with the mode and WAL in its title).")
    var record: String?

    var seriesCounts: [Int] { series.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard interval >= 1, seconds >= 4 * interval else { throw ValidationError("--seconds must cover at least four intervals") }
        guard connections >= 1, sampleSeconds > 0 else { throw ValidationError("--connections and --sample-seconds must be positive") }
        switch mode {
        case .plaintext:
            guard !seriesCounts.isEmpty, seriesCounts.allSatisfy({ $0 >= connections }) else {
                throw ValidationError("--series must list counts of at least --connections each")
            }
        case .statsd:
            guard counters >= 0, timers >= 0, counters + timers > 0 else { throw ValidationError("--counters + --timers must be positive") }
            guard !search else { throw ValidationError("--search is for plaintext") }
        }
        for key in extraKeys where !key.contains("=") { throw ValidationError("--set takes KEY=VALUE, not \(key)") }
    }

    func run() throws {
        let commandLine = CommandLine.arguments.map(WhisperBenchmark.shellQuoted).joined(separator: " ")
        if let openFiles { try Machine.setOpenFileLimit(openFiles) }
        let limit = Machine.raiseOpenFileLimit()
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease), RLIMIT_NOFILE \(limit.soft)/\(limit.hard), \(Machine.writebackSettings)"
        let startDate = Date()
        let loadAtStart = Machine.loadAverage
        print("command: \(commandLine)")
        print("machine: \(machine); load \(loadAtStart)")

        let scratch = try WhisperBenchmark.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let data = dataDirectory ?? scratch + "/whisper"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let senders = SteadySenders(tcpBlast: try CTool.compile(source: tools + "/tcp_blast.c", into: scratch),
                                    udpBlast: try CTool.compile(source: tools + "/udp_blast.c", into: scratch))
        let binary = stoker ?? StokerChild.defaultBinary
        let emptyRSS = try ReadBenchmark.rssOfEmptyStoker(binary: binary, scratch: scratch)
        print("empty stoker: RSS \(ResultRow.format(Double(emptyRSS) / 1_048_576)) MiB")

        var results: [SteadyResult] = []
        func measure(_ load: SteadyLoad) throws -> SteadyResult {
            // A directory per load: the read API indexes every file there, which must not count
            // against a smaller N.
            let files = data + "/" + load.directoryName(connections: connections)
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            var run = SteadyRun(options: self, load: load, binary: binary, senders: senders, scratch: scratch, data: files,
                                emptyResidentBytes: emptyRSS)
            let result = try run.measure()
            results.append(result)
            print(result.summaryLine)
            return result
        }
        switch mode {
        case .statsd:
            _ = try measure(.statsd(counters: counters, timers: timers))
        case .plaintext:
            for n in seriesCounts { _ = try measure(.plaintext(series: n)) }
            if search { try searchHighest(results: &results, measure: measure) }
        }

        let table = SteadyResult.markdownTable(results)
        print("")
        print(table)
        if let record {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            let section = """
                Command (from the repository root): `\(commandLine)`

                - Date: \(formatter.string(from: startDate))
                - Machine: \(machine); load (1/5/15 min) \(loadAtStart) at start, \(Machine.loadAverage) at end
                - Server: release `stoker serve`, embedded defaults but for the ports, the data directory, schema \
                `\(interval)s:1h`\(wal ? ", WAL_DIR = STORAGE_DIR/wal" : "")\(openFiles.map { ", RLIMIT_NOFILE \($0)" } ?? "")\(extraKeys.isEmpty ? "" : ", " + extraKeys.joined(separator: ", ")); \
                files created beforehand by a preparation run; the read API on (its name index is part of the RSS). \
                Empty Stoker: \(ResultRow.format(Double(emptyRSS) / 1_048_576)) MiB RSS.
                - Load: \(mode == .plaintext ? "\(connections) plaintext connections from the bench's paced sender (every line sent at its moment of a schedule spread over the interval), one point per series per \(interval) s" : "udp_blast statsd counters and timers, 10 samples each per \(interval)-s flush")\
                ; \(seconds) s per N, the second half measured; samples every \(ResultRow.format(sampleSeconds)) s.
                - Columns: cache slope (points/s, least squares over the second half; sustained when under 2 % of the update rate \
                and the senders kept pace), Stoker's CPU in cores and per 100 k updates/s, RSS per series ((max RSS - empty) / series), \
                delay to disk (probe series read back from their files: from sending, or from the flush, to the point being in the file; \
                median and max), bytes per point written handed to write system calls and sent to storage (`/proc/PID/io`: `wchar`, `write_bytes`), statsd's udp_dropped.

                \(table)
                """
            let heading = "## Steady state (issue 17): \(mode.rawValue)\(wal ? ", WAL on" : "")\(openFiles.map { ", \($0) descriptors" } ?? "")"
            try MarkdownRecord.replace(section: section, heading: heading, in: record)
            print("recorded in \(record)")
        }
    }

    /// Raises N by 25 % from the highest sustained count while it is sustained, then halves the
    /// gap to the lowest failing count twice (about 3 % resolution).
    private func searchHighest(results: inout [SteadyResult], measure: (SteadyLoad) throws -> SteadyResult) throws {
        var passing = results.filter(\.sustained).map(\.series).max()
        var failing = results.filter { !$0.sustained }.map(\.series).min()
        guard var low = passing else {
            print("search: no listed count was sustained; nothing to search from")
            return
        }
        if let f = failing, f <= low { failing = nil }
        while failing == nil {
            let next = Int(Double(low) * 1.25)
            if try measure(.plaintext(series: next)).sustained { low = next; passing = next } else { failing = next }
        }
        for _ in 0..<2 {
            guard let high = failing else { break }
            let middle = (low + high) / 2
            if try measure(.plaintext(series: middle)).sustained { low = middle } else { failing = middle }
        }
        print("search: highest sustained \(low) series (lowest failing \(failing.map(String.init) ?? "-"))")
    }
}

/// What one measured run sends.
enum SteadyLoad {
    case plaintext(series: Int)
    case statsd(counters: Int, timers: Int)

    /// The load's own data directory under --data-directory.
    func directoryName(connections: Int) -> String {
        switch self {
        case let .plaintext(n): "plaintext-\(n)-c\(connections)"
        case let .statsd(counters, timers): "statsd-\(counters)-\(timers)"
        }
    }

    /// Series written per interval: statsd's counter makes 2, its timer 14 (percentThreshold 90).
    var series: Int {
        switch self {
        case let .plaintext(n): n
        case let .statsd(counters, timers): 2 * counters + 14 * timers
        }
    }
}

/// The compiled C senders.
struct SteadySenders {
    let tcpBlast: String
    let udpBlast: String
}
