import ArgumentParser
import Foundation
import FoundationNetworking
import Glibc
import Whisper

/// `stoker-bench api`: the read API (issue 14) on N whisper files plus names only in the cache:
/// the index build at start, find and render latency, and the same queries in the same run
/// against Debian's graphite-web reading the same files locally; then plaintext ingest with and
/// without a render loop running beside it.
struct ReadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Index build, find and render latency of the read API against graphite-web on the same files.")

    @Option(help: "Series on disk (files bench.gGGGG.mMMMM, 1000 per directory).")
    var series = 1_000_000

    @Option(help: "Series only in the cache (waiting for their create).")
    var cacheOnly = 10_000

    @Option(help: "Requests per query kind against Stoker (the table shows p50 and p99).")
    var queries = 40

    @Option(help: "Requests per query kind against graphite-web.")
    var graphiteQueries = 5

    @Option(help: "Parent directory of the files (kept between runs: a second run reuses them).")
    var directory = "bench-data"

    @Option(help: "The stoker binary (default: the one next to this bench).")
    var stoker = StokerChild.defaultBinary

    @Option(help: "Seconds of plaintext ingest per phase (alone, then beside a render loop).")
    var ingestSeconds = 5.0

    @Option(help: "Markdown file to write the results into (section \"Reads (issue 14)\").")
    var record: String?

    @Flag(help: "Leave graphite-web out (Stoker's figures only).")
    var skipGraphiteWeb = false

    func run() async throws {
        _ = Machine.raiseOpenFileLimit()
        // Absolute: graphite-web runs in a directory of its own and reads these paths there.
        let parent = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        let root = (parent as NSString).appendingPathComponent("api-\(series)")
        let data = root + "/whisper"
        let created = try ReadBenchFiles.ensure(data: data, series: series, log: log)
        let scratch = root + "/run-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let apiPort = try Machine.freeLoopbackPort(), linePort = try Machine.freeLoopbackPort()
        let config = try StokerChild.writeConfig(
            in: scratch,
            cache: [("STORAGE_DIR", scratch), ("LOCAL_DATA_DIR", data), ("LINE_RECEIVER_INTERFACE", "127.0.0.1"),
                    ("LINE_RECEIVER_PORT", "\(linePort)"), ("PICKLE_RECEIVER_PORT", "0"), ("CACHE_QUERY_PORT", "0"),
                    ("MAX_CREATES_PER_MINUTE", "1"), ("CARBON_METRIC_INTERVAL", "0"), ("LOG_LEVEL", "info")],
            statsd: [("enabled", "false")],
            schemas: "[default]\npattern = .*\nretentions = \(ReadBenchFiles.retention)\n")
        try ("\n[api]\nport = \(apiPort)\nmax_series_per_request = \(series * 2)\nmax_request_seconds = 600\n")
            .appendingToFile(config)
        let emptyRSS = try Self.rssOfEmptyStoker(binary: stoker, scratch: scratch)

        log("starting stoker on \(series) files")
        let began = MonotonicClock.now()
        let child = try StokerChild.start(binary: stoker, config: config, logPath: scratch + "/stoker.log")
        defer { _ = child.stop(timeout: 120) }
        let built = try Self.waitForLine("event=index_built", in: child, timeout: 1800)
        let buildSeconds = Double(Self.field("seconds", built) ?? "") ?? (MonotonicClock.now() - began)
        let indexBytes = Double(Self.field("bytes", built) ?? "") ?? 0
        let indexedRSS = Double(child.residentBytes)
        log("index built in \(buildSeconds) s, \(indexBytes) bytes; RSS \(indexedRSS / 1_048_576) MiB (empty: \(Double(emptyRSS) / 1_048_576))")

        let now = Int(Date().timeIntervalSince1970)
        try ReadBenchFiles.send(port: linePort, lines: (0..<cacheOnly).map { "bench.cache.c\($0) \($0) \(now)\n" })
        let stokerURL = "http://127.0.0.1:\(apiPort)"
        try await Self.waitUntil(timeout: 300) {
            let (_, body) = try await HTTPTimer.get(stokerURL + "/metrics/find/?query=bench.cache.*&format=completer")
            return body.count > cacheOnly * 20
        }

        let groups = max(1, series / ReadBenchFiles.perDirectory)
        @Sendable func group() -> String { String(format: "g%04d", Int.random(in: 0..<groups)) }
        let kinds: [(name: String, path: @Sendable () -> String, repeats: Int)] = [
            ("find leaf glob (`bench.gNNNN.m00[0-4]*`, pickle)", { "/metrics/find/?local=1&format=pickle&query=bench.\(group()).m00%5B0-4%5D*" }, queries),
            ("find `*.*.*` (treejson)", { "/metrics/find/?query=*.*.*" }, max(3, queries / 10)),
            ("render 1 series over a day (pickle)", { "/render/?local=1&format=pickle&from=-1d&target=bench.\(group()).m0001" }, queries),
            ("render 100 series over a day", { "/render/?local=1&format=pickle&from=-1d&target=bench.\(group()).m00*" }, queries),
            ("render 1000 series over a day", { "/render/?local=1&format=pickle&from=-1d&target=bench.\(group()).*" }, max(5, queries / 4)),
        ]
        var rows: [(String, [Double], [Double])] = []
        var web: GraphiteWebChild?
        if !skipGraphiteWeb {
            web = try GraphiteWebChild.start(scratch: scratch, data: data, log: log)
        }
        defer { web?.stop() }
        for kind in kinds {
            var ours: [Double] = []
            for _ in 0..<kind.repeats { ours.append(try await HTTPTimer.time(stokerURL + kind.path())) }
            var theirs: [Double] = []
            if let web {
                for _ in 0..<min(graphiteQueries, kind.repeats) { theirs.append(try await HTTPTimer.time(web.url + kind.path())) }
            }
            log("\(kind.name): stoker p50 \(Self.percentile(ours, 50)) s, graphite-web p50 \(Self.percentile(theirs, 50)) s")
            rows.append((kind.name, ours, theirs))
        }
        web?.stop()
        web = nil

        let ingest = try await Self.ingest(port: linePort, api: stokerURL, child: child, groups: groups, seconds: ingestSeconds)
        log("ingest alone \(ingest.alone) points/s, beside renders \(ingest.loaded) points/s (\(ingest.renders) renders)")

        let table = Self.table(rows: rows, series: series, cacheOnly: cacheOnly, created: created, buildSeconds: buildSeconds,
                               indexBytes: indexBytes, indexedRSS: indexedRSS, emptyRSS: Double(emptyRSS), ingest: ingest)
        print(table)
        if let record {
            let command = "stoker-bench api --series \(series) --cache-only \(cacheOnly) --queries \(queries) --graphite-queries \(graphiteQueries)"
            let body = "`\(command)` (\(Date()), load at start \(Machine.loadAverage))\n\n" + table
            try MarkdownRecord.replace(section: body, heading: "## Reads (issue 14)", in: record)
        }
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data("[api] \(line)\n".utf8))
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p / 100).rounded()))]
    }

    static func waitForLine(_ marker: String, in child: StokerChild, timeout: Double) throws -> String {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if let line = child.log.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            usleep(50_000)
        }
        throw BenchFailure("no \(marker) within \(timeout) s:\n\(child.logTail())")
    }

    static func waitUntil(timeout: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw BenchFailure("condition not met within \(timeout) s")
    }

    static func field(_ name: String, _ line: String) -> String? {
        line.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// RSS of a stoker serving an empty data directory: what the index adds is the difference.
    static func rssOfEmptyStoker(binary: String, scratch: String) throws -> Int {
        let directory = scratch + "/empty"
        try FileManager.default.createDirectory(atPath: directory + "/whisper", withIntermediateDirectories: true)
        let config = try StokerChild.writeConfig(
            in: directory,
            cache: [("STORAGE_DIR", directory), ("LOCAL_DATA_DIR", directory + "/whisper"), ("LINE_RECEIVER_PORT", "0"),
                    ("PICKLE_RECEIVER_PORT", "0"), ("CACHE_QUERY_PORT", "0"), ("CARBON_METRIC_INTERVAL", "0")],
            statsd: [("enabled", "false")], schemas: "[default]\npattern = .*\nretentions = 60:1d\n")
        try "\n[api]\nport = \(try Machine.freeLoopbackPort())\n".appendingToFile(config)
        let child = try StokerChild.start(binary: binary, config: config, logPath: directory + "/stoker.log")
        _ = try waitForLine("event=index_built", in: child, timeout: 60)
        usleep(500_000)
        let rss = child.residentBytes
        _ = child.stop(timeout: 30)
        return rss
    }

    struct Ingest { var alone: Double; var loaded: Double; var renders: Int }

    /// Points/s Stoker receives from one plaintext connection sending as fast as it can, alone
    /// and then while renders of 100 series run back to back; three pairs, medians reported.
    /// The renders come from another process (curl in a shell loop) at nice 19, as a
    /// graphite-web on another host would not take this machine's CPU from the sender.
    static func ingest(port: Int, api: String, child: StokerChild, groups: Int, seconds: Double) async throws -> Ingest {
        func received() async throws -> Double {
            let (_, body) = try await HTTPTimer.get(api + "/metrics")
            let line = String(decoding: body, as: UTF8.self).split(separator: "\n")
                .first { $0.hasPrefix("stoker_carbon_metrics_received_total ") }
            return Double(line?.split(separator: " ").last ?? "") ?? 0
        }
        func blast(for seconds: Double) async throws -> Double {
            let before = try await received()
            let start = MonotonicClock.now()
            let fd = try ReadBenchFiles.connect(port: port)
            var round = 0
            let now = Int(Date().timeIntervalSince1970)
            while MonotonicClock.now() < start + seconds {
                var chunk = ""
                for m in 0..<1000 { chunk += "bench.g\(String(format: "%04d", round % groups)).m\(String(format: "%04d", m)) \(round) \(now)\n" }
                try ReadBenchFiles.writeAll(fd, Array(chunk.utf8))
                round += 1
            }
            close(fd)
            try await Task.sleep(nanoseconds: 300_000_000)
            return (try await received() - before) / (MonotonicClock.now() - start)
        }
        var alone: [Double] = [], loaded: [Double] = []
        var renders = 0
        let counter = NSTemporaryDirectory() + "stoker-bench-renders-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        for _ in 0..<3 {
            alone.append(try await blast(for: seconds))
            _ = FileManager.default.createFile(atPath: counter, contents: Data())
            let loop = Process()
            loop.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
            let url = api + "/render/?local=1&format=pickle&from=-1d&target=bench.g0001.m00*"
            loop.arguments = ["-n", "19", "/bin/sh", "-c", "while :; do curl -sf -o /dev/null '\(url)' && echo >> '\(counter)'; done"]
            try loop.run()
            loaded.append(try await blast(for: seconds))
            kill(loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()
            renders += ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").filter { $0 == "\n" }.count
        }
        return Ingest(alone: percentile(alone, 50), loaded: percentile(loaded, 50), renders: renders / 3)
    }

    static func table(rows: [(String, [Double], [Double])], series: Int, cacheOnly: Int, created: Double?, buildSeconds: Double,
                      indexBytes: Double, indexedRSS: Double, emptyRSS: Double, ingest: Ingest) -> String {
        func ms(_ seconds: Double) -> String { seconds.isNaN ? "-" : String(format: seconds < 0.01 ? "%.2f" : "%.1f", seconds * 1000) }
        var text = "| query | Stoker p50 ms | Stoker p99 ms | graphite-web p50 ms | graphite-web / Stoker (p50) |\n|---|---|---|---|---|\n"
        for (name, ours, theirs) in rows {
            let p50 = percentile(ours, 50), web = percentile(theirs, 50)
            text += "| \(name) | \(ms(p50)) | \(ms(percentile(ours, 99))) | \(ms(web)) | \(web.isNaN ? "-" : String(format: "%.0fx", web / p50)) |\n"
        }
        let perSeries = indexBytes / Double(series + cacheOnly)
        text += "\n| figure | value |\n|---|---|\n"
        text += "| series on disk + only in the cache | \(series) + \(cacheOnly) |\n"
        if let created { text += "| creating the files (first run only) | \(String(format: "%.0f", created)) s |\n" }
        text += "| index build at start (walk of the data directory) | \(String(format: "%.1f", buildSeconds)) s |\n"
        text += "| index memory (the tree's own accounting) | \(String(format: "%.0f", indexBytes / 1_048_576)) MiB, \(String(format: "%.0f", perSeries)) bytes/series |\n"
        text += "| RSS with the index − RSS of an empty Stoker | \(String(format: "%.0f", (indexedRSS - emptyRSS) / 1_048_576)) MiB, \(String(format: "%.0f", (indexedRSS - emptyRSS) / Double(series))) bytes/series |\n"
        text += "| plaintext ingest alone (median of 3) | \(String(format: "%.0f", ingest.alone)) points/s |\n"
        text += "| plaintext ingest beside back-to-back renders of 100 series (median of 3; \(ingest.renders) renders a run) | \(String(format: "%.0f", ingest.loaded)) points/s |\n"
        return text
    }
}

extension String {
    func appendingToFile(_ path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(utf8))
    }
}
