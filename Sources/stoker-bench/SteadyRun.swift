import Foundation
import Glibc

/// One N of `stoker-bench steady`: prepares the files (once per data directory), starts a
/// fresh Stoker, runs the senders for the duration while sampling /metrics and reading probe
/// series back from disk, stops everything and reduces the second half to a `SteadyResult`.
struct SteadyRun {
    let options: SteadyBenchmark
    let load: SteadyLoad
    let binary: String
    let senders: SteadySenders
    let scratch: String
    let data: String
    let emptyResidentBytes: Int

    mutating func measure() throws -> SteadyResult {
        log("== \(describe(load)): \(load.series) series every \(options.interval) s")
        try prepare()
        let ports = try SteadyPorts()
        let child = try start(ports: ports, storage: scratch + "/storage-\(load.series)", measured: true)
        defer { child.stop(timeout: 900) }
        let metrics = SteadyMetricsClient(port: ports.api)

        let interval = Double(options.interval)
        // The schedule starts half a second from now, its first timestamp on the grid at or
        // before that (a point is never stamped later than it is sent).
        let wallStart = Date().timeIntervalSince1970 + 0.5
        let firstTimestamp = Int(wallStart) / options.interval * options.interval
        let began = MonotonicClock.now()
        let running = try startSenders(ports: ports, firstTimestamp: firstTimestamp, wallStart: wallStart)
        var probes = SteadyProbes(load: load, options: options, data: data, wallStart: wallStart, firstTimestamp: firstTimestamp)
        var samples: [SteadySample] = []
        // statsd: each flush's timestamp, read four times a second (SteadyProbes says why).
        var flushTimestamps: Set<Int> = []
        let readsFlushes: Bool
        if case .statsd = load { readsFlushes = true } else { readsFlushes = false }
        func noteFlush(_ scraped: [String: Double]) {
            if let stamp = scraped["stoker_statsd_last_flush_timestamp_seconds"], stamp > 0 { flushTimestamps.insert(Int(stamp)) }
        }
        let end = began + Double(options.seconds)
        var nextSample = began
        do {
            while MonotonicClock.now() < end {
                if child.hasExited { throw BenchFailure("stoker exited during the run:\n\(child.logTail())") }
                if let failure = running.failure { throw BenchFailure("the load failed: \(failure)") }
                probes.poll()
                let sampling = MonotonicClock.now() >= nextSample
                let scraped = sampling || readsFlushes ? try metrics.scrape() : [:]
                noteFlush(scraped)
                if sampling {
                    samples.append(SteadySample(elapsed: MonotonicClock.now() - began, metrics: scraped, written: child.writtenBytes))
                    nextSample += options.sampleSeconds
                    if samples.count % max(1, Int(interval * 3 / options.sampleSeconds)) == 0 { log(samples.last!.progressLine) }
                }
                usleep(250_000)
            }
        } catch {
            running.abandon()
            throw error
        }
        let sent = try running.finish()
        // The last interval's points reach the files after the load: read them for the probes.
        let settle = MonotonicClock.now() + interval * 2
        while MonotonicClock.now() < settle {
            probes.poll()
            if readsFlushes { noteFlush(try metrics.scrape()) }
            usleep(250_000)
        }
        let final = try metrics.scrape()
        let stopBegan = MonotonicClock.now()
        let status = child.stop(timeout: 900)
        let shutdown = MonotonicClock.now() - stopBegan
        guard status == 0 else { throw BenchFailure("stoker exited with \(status):\n\(child.logTail())") }
        return SteadyResult(load: load, options: options, samples: samples, final: final, senders: sent,
                            delays: probes.delays(after: wallStart + Double(options.seconds) / 2, flushTimestamps: flushTimestamps),
                            emptyResidentBytes: emptyResidentBytes, shutdownSeconds: shutdown)
    }

    private func describe(_ load: SteadyLoad) -> String {
        switch load {
        case let .plaintext(n): "plaintext, \(n) series over \(options.connections) connections"
        case let .statsd(c, t): "statsd, \(c) counters + \(t) timers"
        }
    }

    // MARK: preparation

    /// The marker recording what a data directory already holds for this mode's names.
    private var marker: String {
        switch load {
        case .plaintext: data + "/.steady-plaintext-c\(options.connections)-i\(options.interval)"
        case .statsd: data + "/.steady-statsd-i\(options.interval)"
        }
    }

    /// Creates the files with one round of the same names through a Stoker of the same
    /// configuration, unless an earlier run already did for at least these counts.
    private func prepare() throws {
        let have = ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int($0) }
        let want: [Int]
        switch load {
        case let .plaintext(n): want = [n / options.connections]
        case let .statsd(c, t): want = [c, t]
        }
        if have.count == want.count, zip(have, want).allSatisfy({ $0 >= $1 }) {
            log("files already prepared in \(data)")
            return
        }
        log("preparing \(load.series) files in \(data)")
        let began = MonotonicClock.now()
        let ports = try SteadyPorts()
        let child = try start(ports: ports, storage: scratch + "/storage-prepare", measured: false)
        defer { child.stop(timeout: 1800) }
        let metrics = SteadyMetricsClient(port: ports.api)
        switch load {
        case let .plaintext(n):
            let perConnection = n / options.connections
            let timestamp = Int(Date().timeIntervalSince1970) / options.interval * options.interval - options.interval
            let running = try (0..<options.connections).map { c in
                try ChildProcess.start(senders.tcpBlast, ["-p", String(ports.line), "-k", String(perConnection), "-r", "1",
                                                          "-s", String(options.interval), "-t", String(timestamp),
                                                          "-P", "steady.c\(c)", "-q"])
            }
            for sender in running { _ = try SteadySenderResult(finishing: sender) }
        case let .statsd(counters, timers):
            // Every name once within one flush interval; the flush after it creates the files.
            let running = try statsdSenders(ports: ports, counters: counters, timers: timers, samplesPerInterval: 1,
                                            seconds: Double(options.interval))
            for sender in running { _ = try SteadySenderResult(finishing: sender) }
            usleep(UInt32(options.interval) * 1_000_000 + 500_000)
        }
        let deadline = MonotonicClock.now() + 3600
        var last = MonotonicClock.now()
        while true {
            // The read API's name tree knows every file (and the names still waiting for one).
            let m = try metrics.scrape()
            let created = m["stoker_carbon_creates_total"] ?? 0, cached = m["stoker_carbon_cache_size"] ?? 0
            let files = (m["stoker_index_leaves"] ?? 0) - (m["stoker_index_waiting_for_create"] ?? 0)
            if files >= Double(load.series) { break }
            if MonotonicClock.now() > deadline { throw BenchFailure("preparation did not finish within an hour:\n\(child.logTail())") }
            if MonotonicClock.now() - last > 10 {
                log("  \(ResultRow.format(created)) created, \(ResultRow.format(cached)) points cached")
                last = MonotonicClock.now()
            }
            usleep(500_000)
        }
        guard child.stop(timeout: 1800) == 0 else { throw BenchFailure("the preparation's stoker failed:\n\(child.logTail())") }
        try want.map(String.init).joined(separator: " ").write(toFile: marker, atomically: true, encoding: .utf8)
        log(String(format: "  prepared in %.0f s", MonotonicClock.now() - began))
    }

    // MARK: the child and its load

    private func start(ports: SteadyPorts, storage: String, measured: Bool) throws -> StokerChild {
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        var cache: [(String, String)] = [
            ("STORAGE_DIR", storage), ("LOCAL_DATA_DIR", data),
            ("LINE_RECEIVER_INTERFACE", "127.0.0.1"), ("LINE_RECEIVER_PORT", "\(ports.line)"),
            ("PICKLE_RECEIVER_PORT", "0"), ("CACHE_QUERY_PORT", "0"),
        ]
        // Explicit either way: the write-ahead log's default changed (on since 2026-12).
        cache.append(("WAL_DIR", measured && options.wal ? storage + "/wal" : ""))
        if measured {
            for pair in options.extraKeys {
                let parts = pair.split(separator: "=", maxSplits: 1)
                cache.append((String(parts[0]), String(parts[1])))
            }
        } else {
            cache.append(("MAX_CREATES_PER_MINUTE", "inf"))
        }
        let statsd: [(String, String)]
        switch load {
        case .plaintext: statsd = [("enabled", "false")]
        case .statsd:
            statsd = [("address", "127.0.0.1"), ("port", "\(ports.statsd)"), ("tcp_port", "0"), ("mgmt_address", "127.0.0.1"),
                      ("mgmt_port", "\(ports.admin)"), ("flushInterval", "\(options.interval * 1000)")]
        }
        let config = try StokerChild.writeConfig(in: storage, cache: cache, statsd: statsd,
                                                 schemas: "[default]\npattern = .*\nretentions = \(options.interval)s:1h\n")
        try "\n[api]\ninterface = 127.0.0.1\nport = \(ports.api)\n".appendingToFile(config)
        let child = try StokerChild.start(binary: binary, config: config, logPath: storage + "/stoker.log")
        // The read API's name tree is built from the files at start; the load starts after it.
        _ = try ReadBenchmark.waitForLine("event=index_built", in: child, timeout: 1800)
        return child
    }

    private func startSenders(ports: SteadyPorts, firstTimestamp: Int, wallStart: Double) throws -> SteadyLoadRunning {
        let rounds = options.seconds / options.interval
        switch load {
        case let .plaintext(n):
            return .plaintext(try (0..<options.connections).map { c in
                try SteadyPlaintextSender(port: ports.line, prefix: "steady.c\(c)", names: n / options.connections, rounds: rounds,
                                          interval: options.interval, firstTimestamp: firstTimestamp, wallStart: wallStart)
            })
        case let .statsd(counters, timers):
            return .statsd(try statsdSenders(ports: ports, counters: counters, timers: timers, samplesPerInterval: 10,
                                             seconds: Double(options.seconds)))
        }
    }

    /// udp_blast for the counters and one for the timers, each name `samplesPerInterval` times
    /// per interval (udp_blast cycles through its names in order).
    private func statsdSenders(ports: SteadyPorts, counters: Int, timers: Int, samplesPerInterval: Int,
                               seconds: Double) throws -> [ChildProcess.Running] {
        var running: [ChildProcess.Running] = []
        for (kind, count, prefix) in [("c", counters, "steady.counters"), ("ms", timers, "steady.timers")] where count > 0 {
            let rate = Double(count * samplesPerInterval) / Double(options.interval)
            running.append(try ChildProcess.start(senders.udpBlast, ["-p", String(ports.statsd), "-m", "statsd", "-T", kind, "-s", "1400",
                                                                     "-k", String(count), "-L", String(format: "%.0f", rate),
                                                                     "-d", String(format: "%.1f", seconds), "-P", prefix, "-q"]))
        }
        return running
    }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}

/// Free loopback ports for one child.
struct SteadyPorts {
    let line: Int, api: Int, statsd: Int, admin: Int
    init() throws {
        line = try Machine.freeLoopbackPort()
        api = try Machine.freeLoopbackPort()
        statsd = try Machine.freeLoopbackPort(udp: true)
        admin = try Machine.freeLoopbackPort()
    }
}

/// The senders of a measured run.
enum SteadyLoadRunning {
    case plaintext([SteadyPlaintextSender])
    case statsd([ChildProcess.Running])

    var failure: String? {
        guard case let .plaintext(senders) = self else { return nil }
        return senders.lazy.compactMap { $0.snapshot.failure }.first
    }

    func finish() throws -> [SteadySenderResult] {
        switch self {
        case let .plaintext(senders):
            return try senders.map {
                let totals = $0.wait()
                if let failure = totals.failure { throw BenchFailure("plaintext sender: \(failure)") }
                return SteadySenderResult(sent: Double(totals.lines), maxLagSeconds: totals.maxLagSeconds)
            }
        case let .statsd(senders):
            return try senders.map { try SteadySenderResult(finishing: $0) }
        }
    }

    func abandon() {
        switch self {
        case let .plaintext(senders): senders.forEach { $0.stop() }
        case let .statsd(senders): senders.forEach { $0.terminate() }
        }
    }
}

/// What a sender reported when it finished.
struct SteadySenderResult {
    /// Points (plaintext) or lines (udp_blast) sent.
    var sent: Double
    /// Plaintext: how late the latest line went out against its schedule.
    var maxLagSeconds = 0.0

    init(sent: Double, maxLagSeconds: Double) {
        self.sent = sent
        self.maxLagSeconds = maxLagSeconds
    }

    init(finishing sender: ChildProcess.Running) throws {
        let result = sender.wait()
        // tcp_blast prints tcp_points=, udp_blast sent_lines=; both secs=.
        guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "secs"),
              let sent = Double(fields["tcp_points"] ?? fields["sent_lines"] ?? "") else {
            throw BenchFailure("\(sender.program) exited with \(result.status): \(result.output)")
        }
        self.sent = sent
    }
}
