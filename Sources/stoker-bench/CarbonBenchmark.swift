import ArgumentParser
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Logging
import Whisper

/// `stoker-bench carbon` (issue 3): Stoker's carbon half in this process (CarbonService on a free
/// loopback port), fed Graphite plaintext over ONE TCP connection by `tools/tcp_blast.c`.
struct CarbonBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbon",
        abstract: "Carbon ingest and writer: one TCP connection of plaintext from tcp_blast.c into CarbonService.",
        discussion: """
            Workloads (--metrics x --points, one TCP connection each): (a) new files (sparse \
            creates), (b) existing files with the writer's headers and descriptors warm, (c) \
            existing files through a freshly started service. Received points/s: until \
            metricsReceived reaches the total; committed points/s: until committedPoints does, \
            then a sample of files is read back. Memory: the writer is held back \
            (MAX_UPDATES_PER_SECOND tiny, unlimited on shutdown) while the cache fills to \
            --points and then 2 x --points per metric; the two RSS deltas give bytes per cached \
            point and per metric. Data goes under --data and is removed after.
            """
    )

    @Option(help: "Distinct metrics per workload.")
    var metrics: Int = 100_000

    @Option(help: "Points per metric per workload (tcp_blast rounds, 60 s apart).")
    var points: Int = 10

    @Option(help: "Writer threads (WRITER_THREADS; 0 = Stoker's default, one per core).")
    var writerThreads: Int = 0

    @Option(help: "SwiftNIO event-loop threads of the service (default: one per core).")
    var eventLoops: Int = Machine.processorCount

    @Option(help: "Descriptors the writers may keep open (MAX_OPEN_FILES; the rest are opened per write; 0 = Stoker's default, the hard limit minus 1024).")
    var maxOpenFiles: Int = 0

    /// The writer threads the service runs with these options.
    var writerThreadsInUse: Int {
        var settings = CarbonSettings()
        settings.writerThreads = writerThreads
        return settings.effectiveWriterThreads
    }

    @Option(help: "Directory holding tcp_blast.c.")
    var tools: String = "../shared/tools"

    @Option(help: "Parent directory for the whisper files (a fresh subdirectory is made and removed).")
    var data: String = "./bench-data"

    @Option(help: "Metric name prefix of the memory fills (names are PREFIX.kN).")
    var memoryPrefix: String = "bench.memory.fill"

    @Option(help: "Seconds any one phase may take before the run is abandoned.")
    var timeout: Double = 300

    @Option(name: .customLong("repeat"), help: "Repetitions of every workload; the table shows the median (min-max).")
    var repetitions: Int = 1

    @Option(help: "Markdown file to write the results into (section \"Carbon (issue 3)\"), e.g. BENCHMARKS.md.")
    var record: String?

    @Flag(help: "Keep the whisper files instead of removing them.")
    var keepData = false

    @Flag(help: "Run only the memory fills (writer held back): the receive path alone, for profiling.")
    var memoryOnly = false

    @Flag(help: "Turn the write-ahead log on (WAL_DIR beside each workload's files, WAL_FSYNC_INTERVAL 1); not with --record.")
    var writeAheadLog = false

    func validate() throws {
        guard metrics >= 1 else { throw ValidationError("--metrics must be at least 1") }
        guard !(writeAheadLog && record != nil) else { throw ValidationError("--write-ahead-log figures are not recorded") }
        // Six workloads of --points slots each must fit the 1440-slot archive, in the past.
        guard points >= 1, points <= 200 else { throw ValidationError("--points must be 1...200") }
        guard writerThreads >= 0, eventLoops >= 1 else { throw ValidationError("thread counts must be at least 0 (writers) and 1 (event loops)") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() async throws {
        let limit = Machine.raiseOpenFileLimit()
        guard UInt64(maxOpenFiles) + 256 <= limit.soft else {
            throw BenchFailure("--max-open-files \(maxOpenFiles) does not fit the open-file limit \(limit.soft)")
        }
        let commandLine = CommandLine.arguments.map(WhisperBenchmark.shellQuoted).joined(separator: " ")
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease), RLIMIT_NOFILE \(limit.soft)/\(limit.hard)"
        let loadAtStart = Machine.loadAverage
        let startDate = Date()
        print("command: \(commandLine)")
        print("cwd:     \(FileManager.default.currentDirectoryPath)")
        print("machine: \(machine)")
        print("load:    \(loadAtStart)")

        let buildDir = try WhisperBenchmark.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: buildDir) }
        let tcpBlast = try CTool.compile(source: tools + "/tcp_blast.c", into: buildDir)

        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let root = data + "/carbon-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if !keepData { try? FileManager.default.removeItem(atPath: root) } }

        var runner = CarbonRunner(options: self, tcpBlast: tcpBlast, root: root)
        for repetition in 0..<repetitions {
            if repetitions > 1 { print("--- repetition \(repetition + 1) of \(repetitions)") }
            try await runner.runAll(repetition: repetition)
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
            let section = section(command: commandLine, machine: machine, date: startDate, table: table,
                                  loadAtStart: loadAtStart, loadAtEnd: loadAtEnd, failures: failures,
                                  nameLength: runner.memoryNameLength, limit: limit)
            try MarkdownRecord.replace(section: section, heading: "## Carbon (issue 3)", in: record)
            print("recorded in \(record)")
        }
    }

    private func section(command: String, machine: String, date: Date, table: String, loadAtStart: String,
                         loadAtEnd: String, failures: Int, nameLength: Int, limit: (soft: UInt64, hard: UInt64)) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return """
            Command (from the repository root): `\(command)`

            - Date: \(formatter.string(from: date))
            - Machine: \(machine)
            - Load (`/proc/loadavg`, 1/5/15 min): \(loadAtStart) at start, \(loadAtEnd) at end
            - Service: CarbonService in the bench process, \(eventLoops) event loop(s), WRITER_THREADS \(writerThreads) \
            (\(writerThreadsInUse) writer thread(s)), sorted strategy, MAX_UPDATES_PER_SECOND and MAX_CREATES_PER_MINUTE unlimited, \
            sparse creates, MAX_OPEN_FILES \(maxOpenFiles == 0 ? "0 (auto: \(limit.hard) - 1024)" : "\(maxOpenFiles)"), files of 1 archive 60 s x 1440 points in page cache.
            - Load: `tcp_blast -k \(metrics) -r \(points)`, ONE TCP connection, names `bench.kN` \
            (\(metrics) x \(points) = \(metrics * points) points per workload); a sample of every \
            workload's files is read back with `WhisperFile.fetch` and checked point by point.
            - Memory: two fills with the writer held back, \(points) then \(2 * points) points per metric, \
            names of \(nameLength) bytes; the deltas of malloc's bytes in use (glibc `malloc_info`) and of \
            RSS after `malloc_trim` solved for bytes per point and per metric.
            - Figures: median of the repetitions, (min-max) when more than one. The C column is empty: \
            the peers are the servers measured in `docs/limits.md` §3.

            \(table)

            \(failures == 0 ? "All targets met." : "\(failures) workload(s) below target.")
            """
    }
}

/// Runs the carbon workloads in order and collects the rows.
private struct CarbonRunner {
    let options: CarbonBenchmark
    let tcpBlast: String
    let root: String
    var rows: [ResultRow]
    /// Every workload writes its own `points` slots, all within the archive's day, in the past.
    let firstTimestamp: Int
    var memoryNameLength = 0
    /// The same solution from RSS without malloc_trim (freed array buffers still resident).
    var untrimmed: (perPoint: Double, perMetric: Double) = (0, 0)

    static let step = 60
    static let archives = [ArchiveSpec(secondsPerPoint: 60, points: 1440)]

    enum Row: Int, CaseIterable {
        case receivedNew, committedNew, createsNew, receivedExisting, committedExisting, committedCold,
             receivedAlone, storeAlone, drain, drainExisting, bytesPerPoint, bytesPerMetric, rssPerPoint, rssPerMetric, peakNew, peakExisting
    }

    init(options: CarbonBenchmark, tcpBlast: String, root: String) {
        self.options = options
        self.tcpBlast = tcpBlast
        self.root = root
        let now = Int(Date().timeIntervalSince1970)
        firstTimestamp = now / Self.step * Self.step - (6 * options.points + 5) * Self.step
        let n = "\(WhisperRunnerFormat.count(options.metrics)) x \(options.points)"
        rows = Row.allCases.map { row in
            switch row {
            case .receivedNew:
                return ResultRow(workload: "(a) \(n), new files: received", unit: .points, minimumAbsolute: 2_000_000,
                                 peers: "go-carbon 0.69M; carbon-cache 0.11-0.22M")
            case .committedNew:
                return ResultRow(workload: "(a) \(n), new files: committed (all points on disk)", unit: .points, isReference: true,
                                 peers: "carbon-cache 0.03-0.10M")
            case .createsNew:
                return ResultRow(workload: "(a) \(n), new files: creates (sparse)", unit: .creates, isReference: true,
                                 peers: "go-carbon 11.2k; carbon-cache 3.7k; C zero-filled 11.8k")
            case .receivedExisting:
                return ResultRow(workload: "(b) \(n), existing files: received", unit: .points, minimumAbsolute: 2_000_000,
                                 peers: "go-carbon 0.69M; carbon-cache 0.11-0.22M")
            case .committedExisting:
                return ResultRow(workload: "(b) \(n), existing files, writer warm: committed", unit: .points, minimumAbsolute: 1_000_000,
                                 peers: "go-carbon 0.26M; carbon-cache 0.06M")
            case .committedCold:
                return ResultRow(workload: "(c) \(n), existing files, fresh service: committed", unit: .points, minimumAbsolute: 1_000_000,
                                 peers: "go-carbon 0.26M; carbon-cache 0.06M")
            case .receivedAlone:
                return ResultRow(workload: "\(n), writer held back, names of \("\(options.memoryPrefix).k\(options.metrics - 1)".utf8.count) bytes: received (receiver alone)", unit: .points, isReference: true)
            case .storeAlone:
                return ResultRow(workload: "MetricCache.store alone, 1 thread, \(n), names `bench.kN` (no socket, no parse)", unit: .points, isReference: true)
            case .drain:
                return ResultRow(workload: "shutdown drain of \(WhisperRunnerFormat.count(options.metrics)) x \(2 * options.points) into new files: committed", unit: .points, isReference: true)
            case .drainExisting:
                return ResultRow(workload: "(d) \(n) into a fresh service, writer held back, then drained into existing files: committed (writer alone, 10-point updates, headers read)", unit: .points, isReference: true,
                                 peers: "C `open` K=10: 1.75M (whisper suite)")
            case .bytesPerPoint:
                return ResultRow(workload: "cache heap per point (malloc in use, \(options.points) -> \(2 * options.points) points/metric)", unit: .bytesPerPoint, maximumAbsolute: 16)
            case .bytesPerMetric:
                return ResultRow(workload: "cache heap per metric (overhead beyond the points)", unit: .bytesPerMetric, isReference: true)
            case .rssPerPoint:
                return ResultRow(workload: "cache RSS per point (after malloc_trim)", unit: .bytesPerPoint, isReference: true)
            case .rssPerMetric:
                return ResultRow(workload: "cache RSS per metric (after malloc_trim)", unit: .bytesPerMetric, isReference: true)
            case .peakNew:
                return ResultRow(workload: "(a) peak RSS of the process", unit: .mebibytes, isReference: true)
            case .peakExisting:
                return ResultRow(workload: "(b) peak RSS of the process", unit: .mebibytes, isReference: true)
            }
        }
    }

    mutating func add(_ row: Row, _ value: Double) { rows[row.rawValue].stoker.append(value) }

    /// Slot offsets (in steps from firstTimestamp): memory fills 0 and P, (a) 2P, (b) 3P, (c) 4P.
    func timestamp(slot: Int) -> Int { firstTimestamp + slot * options.points * Self.step }

    mutating func runAll(repetition: Int) async throws {
        let suffix = repetition == 0 ? "" : "\(repetition)"
        try await memory(prefix: options.memoryPrefix + suffix, directory: root + "/memory\(suffix)")
        Machine.trimHeap()
        storeAlone()
        Machine.trimHeap()
        if options.memoryOnly { return }
        let directory = root + "/whisper\(suffix)"
        let prefix = "bench" + suffix

        let service = try await Service.start(options, directory: directory, holdWriterBack: false)
        log("(a) \(options.metrics) metrics x \(options.points) points, new files (load \(Machine.loadAverage), RSS \(mib(Machine.residentBytes)) MiB)")
        let a = try blast(service, prefix: prefix, timestamp: timestamp(slot: 2), until: .committed, expectCreates: true)
        try verify(prefix: prefix, directory: directory, timestamp: timestamp(slot: 2))
        add(.receivedNew, a.receivedRate)
        add(.committedNew, a.committedRate)
        add(.createsNew, a.createRate)
        add(.peakNew, Double(a.peakResident) / 1_048_576)

        log("(b) existing files, same service (load \(Machine.loadAverage), RSS \(mib(Machine.residentBytes)) MiB)")
        let b = try blast(service, prefix: prefix, timestamp: timestamp(slot: 3), until: .committed, expectCreates: false)
        try verify(prefix: prefix, directory: directory, timestamp: timestamp(slot: 3))
        add(.receivedExisting, b.receivedRate)
        add(.committedExisting, b.committedRate)
        add(.peakExisting, Double(b.peakResident) / 1_048_576)
        await service.service.shutdown()

        Machine.trimHeap()
        let cold = try await Service.start(options, directory: directory, holdWriterBack: false)
        log("(c) existing files, fresh service (load \(Machine.loadAverage))")
        let c = try blast(cold, prefix: prefix, timestamp: timestamp(slot: 4), until: .committed, expectCreates: false)
        try verify(prefix: prefix, directory: directory, timestamp: timestamp(slot: 4))
        add(.committedCold, c.committedRate)
        await cold.service.shutdown()
        Machine.trimHeap()

        // (d): the writer alone, every metric's points in one update: what (b) would commit if
        // the writer did not start on a metric before its round of points had arrived.
        let held = try await Service.start(options, directory: directory, holdWriterBack: true)
        log("(d) existing files, writer held back until all is received, then drained (load \(Machine.loadAverage))")
        let total = options.metrics * options.points
        _ = try blast(held, prefix: prefix, timestamp: timestamp(slot: 5), until: .cached(total), expectCreates: false)
        Machine.flushFilesystem(containing: options.data)
        let begin = MonotonicClock.now()
        await held.service.shutdown()
        let seconds = MonotonicClock.now() - begin
        let stats = held.service.writer.statistics.snapshot
        guard stats.committedPoints == total else { throw BenchFailure("(d) drain committed \(stats.committedPoints) of \(total) points") }
        log(String(format: "  drained in %.2f s: %@ points/s, %d update operations\n  CLOCK_MONOTONIC %.3f-%.3f", seconds, ResultRow.format(Double(total) / seconds), stats.updateOperations, begin, begin + seconds))
        try verify(prefix: prefix, directory: directory, timestamp: timestamp(slot: 5))
        add(.drainExisting, Double(total) / seconds)
        Machine.trimHeap()
    }

    /// Two fills with the writer held back; RSS after each. Then the shutdown drain, timed.
    private mutating func memory(prefix: String, directory: String) async throws {
        Machine.trimHeap()
        let service = try await Service.start(options, directory: directory, holdWriterBack: true)
        if memoryNameLength == 0 { memoryNameLength = "\(prefix).k\(options.metrics - 1)".utf8.count }
        // Let the service's threads settle before the baseline.
        usleep(200_000)
        // Every RSS figure is taken after malloc_trim: live cache memory, not the free chunks
        // an array left behind when it grew (those are reported alongside, untrimmed).
        Machine.trimHeap()
        let before = Machine.residentBytes
        let heapBefore = Machine.heapBytesInUse() ?? 0
        log("memory: writer held back, \(options.metrics) x \(options.points) points (load \(Machine.loadAverage), RSS \(mib(before)) MiB)")
        let first = try blast(service, prefix: prefix, timestamp: timestamp(slot: 0), until: .cached(options.metrics * options.points), expectCreates: false)
        let afterFirstRaw = Machine.residentBytes
        let heapFirst = Machine.heapBytesInUse() ?? 0
        Machine.trimHeap()
        let afterFirst = Machine.residentBytes
        log("memory: then \(options.points) more points per metric")
        _ = try blast(service, prefix: prefix, timestamp: timestamp(slot: 1), until: .cached(2 * options.metrics * options.points), expectCreates: false)
        let afterSecondRaw = Machine.residentBytes
        let heapSecond = Machine.heapBytesInUse() ?? 0
        Machine.trimHeap()
        let afterSecond = Machine.residentBytes
        let committed = service.service.writer.statistics.snapshot.committedPoints
        guard committed == 0 else { throw BenchFailure("the writer was not held back: \(committed) points committed") }

        let pointsPerFill = Double(options.metrics * options.points)
        let heapPerPoint = Double(heapSecond - heapFirst) / pointsPerFill
        let heapPerMetric = (Double(heapFirst - heapBefore) - heapPerPoint * pointsPerFill) / Double(options.metrics)
        log(String(format: "  malloc in use %@ -> %@ -> %@ MiB: %.1f bytes/point, %.0f bytes/metric (names of %d bytes)",
                   mib(heapBefore), mib(heapFirst), mib(heapSecond), heapPerPoint, heapPerMetric, memoryNameLength))
        let perPoint = Double(afterSecond - afterFirst) / pointsPerFill
        let perMetric = (Double(afterFirst - before) - perPoint * pointsPerFill) / Double(options.metrics)
        log(String(format: "  RSS after malloc_trim %@ -> %@ -> %@ MiB: %.1f bytes/point, %.0f bytes/metric (names of %d bytes)",
                   mib(before), mib(afterFirst), mib(afterSecond), perPoint, perMetric, memoryNameLength))
        let rawPerPoint = Double(afterSecondRaw - afterFirstRaw) / pointsPerFill
        let rawPerMetric = (Double(afterFirstRaw - before) - rawPerPoint * pointsPerFill) / Double(options.metrics)
        log(String(format: "  untrimmed RSS %@ -> %@ MiB: %.1f bytes/point, %.0f bytes/metric",
                   mib(afterFirstRaw), mib(afterSecondRaw), rawPerPoint, rawPerMetric))
        untrimmed = (rawPerPoint, rawPerMetric)
        add(.receivedAlone, first.receivedRate)
        add(.bytesPerPoint, heapPerPoint)
        add(.bytesPerMetric, heapPerMetric)
        add(.rssPerPoint, perPoint)
        add(.rssPerMetric, perMetric)

        let total = 2 * options.metrics * options.points
        log("memory: shutdown drain of \(total) points into \(options.metrics) new files")
        let begin = MonotonicClock.now()
        await service.service.shutdown()
        let seconds = MonotonicClock.now() - begin
        let stats = service.service.writer.statistics.snapshot
        guard stats.committedPoints == total else {
            throw BenchFailure("drain committed \(stats.committedPoints) of \(total) points")
        }
        log(String(format: "  %.2f s: %@ points/s, %d creates, %d update operations", seconds,
                   ResultRow.format(Double(total) / seconds), stats.creates, stats.updateOperations))
        add(.drain, Double(total) / seconds)
        try verify(prefix: prefix, directory: directory, timestamp: timestamp(slot: 0), rounds: 2 * options.points)
    }

    /// The cache's share of the receive path: the same points stored straight into a
    /// MetricCache (64 shards) from one thread, round by round as tcp_blast sends them.
    private mutating func storeAlone() {
        let names = (0..<options.metrics).map { "bench.k\($0)" }
        let cache = MetricCache(limits: .init(maxSize: nil, flowControl: true), shardCount: CarbonSettings().cacheShards)
        let begin = MonotonicClock.now()
        for round in 0..<options.points {
            let point = CachedPoint(timestamp: Double(timestamp(slot: 0) + round * Self.step), value: Double(round + 1))
            for name in names { cache.store(name, point) }
        }
        let seconds = MonotonicClock.now() - begin
        let total = options.metrics * options.points
        log(String(format: "MetricCache.store alone: %@ points/s (%.0f ns per point), cache size %d", ResultRow.format(Double(total) / seconds),
                   seconds * 1e9 / Double(total), cache.size))
        add(.storeAlone, Double(total) / seconds)
    }

    enum Until {
        /// committedPoints grew by the points sent.
        case committed
        /// The cache holds this many points (writer held back).
        case cached(Int)
    }

    struct Blast {
        var points: Int
        var receivedSeconds: Double
        var committedSeconds: Double
        var createSeconds: Double
        var creates: Int
        var peakResident: Int

        var receivedRate: Double { Double(points) / receivedSeconds }
        var committedRate: Double { Double(points) / committedSeconds }
        var createRate: Double { Double(creates) / createSeconds }
    }

    /// One tcp_blast run: polls the service's counters (no fixed sleeps) until every point is
    /// received and, per `until`, committed or cached.
    private func blast(_ service: Service, prefix: String, timestamp: Int, until: Until, expectCreates: Bool) throws -> Blast {
        let total = options.metrics * options.points
        let receivedBase = service.service.receiverStatistics.snapshot.metricsReceived
        let writerBase = service.service.writer.statistics.snapshot
        // Writeback of the previous phase is not left to this one (and ext4's inode tables are
        // clean, so recently deleted inodes are skipped quickly when files are created).
        Machine.flushFilesystem(containing: options.data)
        Machine.resetPeakResident()
        let start = MonotonicClock.now()
        let child = try ChildProcess.start(tcpBlast, [
            "-p", String(service.port), "-k", String(options.metrics), "-r", String(options.points),
            "-s", String(Self.step), "-t", String(timestamp), "-P", prefix, "-q",
        ])
        var received: Double?, committed: Double?, created: Double?
        while true {
            let now = MonotonicClock.now() - start
            let got = service.service.receiverStatistics.snapshot.metricsReceived - receivedBase
            let stats = service.service.writer.statistics.snapshot
            if received == nil, got >= total { received = now }
            if expectCreates, created == nil, stats.creates - writerBase.creates >= options.metrics { created = now }
            switch until {
            case .committed:
                if committed == nil, stats.committedPoints - writerBase.committedPoints >= total { committed = now }
            case let .cached(size):
                if received != nil, service.service.cache.size >= size { committed = now }
            }
            if received != nil, committed != nil, !expectCreates || created != nil { break }
            if now > options.timeout {
                child.terminate()
                throw BenchFailure("timeout after \(Int(now)) s: received \(got) of \(total), committed \(stats.committedPoints - writerBase.committedPoints), cache size \(service.service.cache.size)")
            }
            usleep(500)
        }
        let result = child.wait()
        let peak = Machine.peakResidentBytes
        guard result.status == 0, let fields = ChildProcess.fields(in: result.output, lineWith: "tcp_points"),
              Int(fields["tcp_points"] ?? "") == total else {
            throw BenchFailure("tcp_blast exited with \(result.status): \(result.output)")
        }
        let stats = service.service.writer.statistics.snapshot
        let operations = stats.updateOperations - writerBase.updateOperations
        let committedPoints = stats.committedPoints - writerBase.committedPoints
        let blast = Blast(points: total, receivedSeconds: received!, committedSeconds: committed!,
                          createSeconds: created ?? 1, creates: stats.creates - writerBase.creates, peakResident: peak)
        var line = String(format: "  received %@ points/s (%.2f s; tcp_blast handed them to the kernel at %@ points/s)",
                          ResultRow.format(blast.receivedRate), blast.receivedSeconds, ResultRow.format(Double(fields["points_per_s"] ?? "") ?? 0))
        if case .committed = until {
            line += String(format: "\n  committed %@ points/s (%.2f s), %d update operations (%.1f points each)",
                           ResultRow.format(blast.committedRate), blast.committedSeconds, operations,
                           Double(committedPoints) / Double(max(operations, 1)))
        }
        if expectCreates {
            line += String(format: "\n  %d creates in %.2f s: %@ creates/s", blast.creates, blast.createSeconds, ResultRow.format(blast.createRate))
        }
        line += "\n  peak RSS \(mib(peak)) MiB, cache size now \(service.service.cache.size)"
        line += String(format: "\n  CLOCK_MONOTONIC %.3f-%.3f (for perf record -k CLOCK_MONOTONIC, perf report --time)", start, MonotonicClock.now())
        log(line)
        return blast
    }

    /// Reads back about 200 files of the workload (every metric's `rounds` points, values
    /// 1...rounds at consecutive steps, as tcp_blast sends them).
    private func verify(prefix: String, directory: String, timestamp: Int, rounds: Int? = nil) throws {
        let rounds = rounds ?? options.points
        let now = Int(Date().timeIntervalSince1970)
        var indices = Array(stride(from: 0, to: options.metrics, by: max(1, options.metrics / 200)))
        if indices.last != options.metrics - 1 { indices.append(options.metrics - 1) }
        for index in indices {
            let path = try MetricPath.filePath(for: "\(prefix).k\(index)", dataDirectory: directory)
            let file = try WhisperFile.open(path: path, writable: false)
            defer { file.closeDescriptor() }
            let last = timestamp + (rounds - 1) * Self.step
            guard let series = try file.fetch(from: timestamp - Self.step, until: last, now: now) else {
                throw BenchFailure("\(path): nothing fetched for \(timestamp)...\(last)")
            }
            var stored: [Int: Double] = [:]
            for point in series.points { if let value = point.value { stored[point.timestamp] = value } }
            for round in 0..<rounds {
                // tcp_blast's value is the round number within its run, starting at 1.
                let expected = Double(round % options.points + 1)
                guard stored[timestamp + round * Self.step] == expected else {
                    throw BenchFailure("\(path): point \(timestamp + round * Self.step) is \(String(describing: stored[timestamp + round * Self.step])), expected \(expected)")
                }
            }
        }
        log("  read back \(indices.count) files x \(rounds) points: all as sent")
    }

    private func mib(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}

/// A started CarbonService and its plaintext port.
private struct Service {
    let service: CarbonService
    let port: Int

    /// Plaintext TCP on a free loopback port; pickle, carbonlink, UDP and self-metrics off.
    /// `holdWriterBack`: MAX_UPDATES_PER_SECOND so small the writer waits before its first
    /// update (the cache only fills), unlimited again on shutdown.
    static func start(_ options: CarbonBenchmark, directory: String, holdWriterBack: Bool) async throws -> Service {
        var settings = CarbonSettings()
        settings.localDataDirectory = directory
        settings.lineReceiver.interface = "127.0.0.1"
        settings.lineReceiver.port = try Machine.freeLoopbackPort()
        settings.pickleReceiver.port = 0
        settings.cacheQuery.port = 0
        settings.enableUDPListener = false
        settings.carbonMetricInterval = 0
        settings.maxCacheSize = nil
        settings.maxUpdatesPerSecond = holdWriterBack ? 1e-9 : nil
        settings.maxUpdatesPerSecondOnShutdown = holdWriterBack ? .infinity : nil
        settings.maxCreatesPerMinute = nil
        settings.whisperSparseCreate = true
        settings.whisperFallocateCreate = false
        settings.writerThreads = options.writerThreads
        settings.maxOpenFiles = options.maxOpenFiles
        settings.writeAheadLogDirectory = options.writeAheadLog ? directory + ".wal" : nil
        let layout = StorageLayout(
            path: { metric in try MetricPath.filePath(for: metric, dataDirectory: directory) },
            newFile: { _ in NewFileLayout(archives: CarbonRunner.archives, xFilesFactor: 0.5, aggregationMethod: .average) })
        var logger = Logger(label: "stoker-bench.carbon")
        logger.logLevel = .warning
        let service = CarbonService(settings: settings, instance: "bench", layout: layout, filters: nil,
                                    logger: logger, eventLoopThreads: options.eventLoops)
        let bound = try await service.start()
        guard let port = bound.first(where: { $0.name == "plaintext" })?.address.port else {
            throw BenchFailure("the plaintext listener did not start: \(bound.map(\.name))")
        }
        return Service(service: service, port: port)
    }
}

/// `10k`, `100k`, `1.5M`-style counts for workload names.
enum WhisperRunnerFormat {
    static func count(_ n: Int) -> String {
        n % 1_000_000 == 0 ? "\(n / 1_000_000)M" : n % 1000 == 0 ? "\(n / 1000)k" : "\(n)"
    }
}
