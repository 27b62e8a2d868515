import ArgumentParser
import Foundation
import Whisper

/// `stoker-bench whisper`: Stoker's whisper write path against `tools/whisper_bench.c`, on files
/// of the C tool's shape (1 archive, 60 s x 1440 points, 17,308 bytes) in the page cache, no
/// fsync. Every workload runs the C phase and the Stoker phase back to back.
struct WhisperBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whisper",
        abstract: "Whisper updates and creates: Stoker's Whisper module vs the C syscall baseline.",
        discussion: """
            Workloads: fd-cached updates on --files-small files (C mode `cache`), open-per-update \
            updates on --files-large files (C modes `open` and `openwsp`; Stoker keeps headers \
            in memory and releases the descriptor after each update), and creates (C zero-filled \
            vs Stoker zeroed, sparse and fallocate). Data goes under --data and is removed after.
            """
    )

    @Option(help: "Seconds per update phase (at least one full pass is always made).")
    var seconds: Double = 5

    @Option(help: "Files for the descriptor-cached updates and the create phases.")
    var filesSmall: Int = 10_000

    @Option(help: "Files for the open-per-update phases (more than the open-file limit).")
    var filesLarge: Int = 100_000

    @Option(help: "Directory holding whisper_bench.c.")
    var tools: String = "../shared/tools"

    @Option(help: "Parent directory for the benchmark files (a fresh subdirectory is made and removed).")
    var data: String = "./bench-data"

    @Option(help: "Pin the C workers and Stoker's thread to this CPU (default: not pinned).")
    var cpu: Int?

    @Option(name: .customLong("repeat"), help: "Repetitions of every workload; the table shows the median (min-max).")
    var repetitions: Int = 1

    @Option(help: "Markdown file to write the results into (section \"Whisper (issue 2)\"), e.g. BENCHMARKS.md.")
    var record: String?

    @Flag(help: "Keep the benchmark files instead of removing them.")
    var keepData = false

    func validate() throws {
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard filesSmall >= 1, filesLarge >= 1 else { throw ValidationError("file counts must be at least 1") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let limit = Machine.raiseOpenFileLimit()
        guard UInt64(filesSmall) + 64 <= limit.soft else {
            throw BenchFailure("--files-small \(filesSmall) needs that many descriptors; the open-file limit is \(limit.soft)")
        }
        if let cpu, !Machine.pinToCPU(cpu) { throw BenchFailure("cannot pin to CPU \(cpu)") }

        let commandLine = CommandLine.arguments.map(Self.shellQuoted).joined(separator: " ")
        let machine = "nproc \(Machine.processorCount), Linux \(Machine.kernelRelease), RLIMIT_NOFILE \(limit.soft)/\(limit.hard)"
        let loadAtStart = Machine.loadAverage
        let startDate = Date()
        print("command: \(commandLine)")
        print("cwd:     \(FileManager.default.currentDirectoryPath)")
        print("machine: \(machine)")
        print("load:    \(loadAtStart)")

        let buildDir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: buildDir) }
        let baseline = try CWhisperBaseline.compile(source: tools + "/whisper_bench.c", into: buildDir)

        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let root = data + "/whisper-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if !keepData { try? FileManager.default.removeItem(atPath: root) } }

        var runner = Runner(baseline: baseline, root: root, seconds: seconds, small: filesSmall, large: filesLarge, cpu: cpu)
        for repetition in 0..<repetitions {
            if repetitions > 1 { print("--- repetition \(repetition + 1) of \(repetitions)") }
            try runner.runAll(repetition: repetition)
        }

        let loadAtEnd = Machine.loadAverage
        let table = ResultTable.markdown(runner.rows)
        let failures = runner.rows.filter { $0.passed == false }.count
        print("")
        print(table)
        print("")
        print("\(failures == 0 ? "all targets met" : "\(failures) workload(s) FAIL"); load at end: \(loadAtEnd)")

        if let record {
            let section = Self.section(
                command: commandLine, machine: machine, date: startDate, table: table,
                loadAtStart: loadAtStart, loadAtEnd: loadAtEnd, failures: failures)
            try MarkdownRecord.replace(section: section, heading: "## Whisper (issue 2)", in: record)
            print("recorded in \(record)")
        }
    }

    private static func section(command: String, machine: String, date: Date, table: String, loadAtStart: String, loadAtEnd: String, failures: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return """
            Command (from the repository root): `\(command)`

            - Date: \(formatter.string(from: date))
            - Machine: \(machine)
            - Load (`/proc/loadavg`, 1/5/15 min): \(loadAtStart) at start, \(loadAtEnd) at end
            - Files: 1 archive 60 s x 1440 points (17,308 bytes), created zero-filled by the C tool \
            for the update phases, in page cache, no fsync; each phase starts after a syncfs.
            - Figures: median of the repetitions, (min-max) when more than one.

            \(table)

            \(failures == 0 ? "All targets met." : "\(failures) workload(s) below target.")
            """
    }

    static func shellQuoted(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+".contains($0) }
        return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/stoker-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchFailure("mkdtemp failed (errno \(errno))") }
        return String(cString: made)
    }
}

/// Runs the workloads in order, C and Stoker back to back, and collects the rows.
private struct Runner {
    let baseline: CWhisperBaseline
    let root: String
    let seconds: Double
    let small: Int
    let large: Int
    let cpu: Int?
    var rows: [ResultRow] = []

    init(baseline: CWhisperBaseline, root: String, seconds: Double, small: Int, large: Int, cpu: Int?) {
        self.baseline = baseline
        self.root = root
        self.seconds = seconds
        self.small = small
        self.large = large
        self.cpu = cpu
        let s = Self.count(small), l = Self.count(large)
        rows = [
            ResultRow(workload: "create \(s): Stoker sparse vs C zero-filled", unit: .creates, minimumRatio: 0.6, minimumAbsolute: 10_000),
            ResultRow(workload: "create \(s): Stoker fallocate vs C zero-filled", unit: .creates, minimumRatio: 0.6, minimumAbsolute: 10_000),
            ResultRow(workload: "create \(s): Stoker zeroed vs C zero-filled", unit: .creates, minimumRatio: 0.6, minimumAbsolute: 10_000),
            ResultRow(workload: "create \(l): Stoker sparse vs C zero-filled", unit: .creates, minimumRatio: 0.6, minimumAbsolute: 10_000),
            ResultRow(workload: "\(s) files, fds kept open, K=1 (C `cache`)", unit: .updates, minimumRatio: 0.6, minimumAbsolute: 200_000),
            ResultRow(workload: "\(s) files, fds kept open, K=10 (C `cache`)", unit: .points, minimumRatio: 0.6),
            ResultRow(workload: "\(l) files, open per update, K=1 (C `open`)", unit: .updates, minimumRatio: 0.6),
            ResultRow(workload: "\(l) files, open per update, K=1 vs C `openwsp`", unit: .updates, isReference: true),
            ResultRow(workload: "\(l) files, open per update, K=10 (C `open`)", unit: .points, minimumRatio: 0.6, minimumAbsolute: 1_000_000),
            ResultRow(workload: "\(l) files, open per update, K=10 vs C `openwsp`", unit: .points, isReference: true),
        ]
    }

    static func count(_ n: Int) -> String { n % 1000 == 0 ? "\(n / 1000)k" : "\(n)" }

    var smallSet: String { root + "/w-small" }
    var largeSet: String { root + "/w-large" }

    mutating func runAll(repetition: Int) throws {
        // Alternate which side goes first, so neither always inherits the other's writeback.
        let stokerFirst = repetition % 2 == 1
        try creates(repetition: repetition, stokerFirst: stokerFirst)
        try cachedUpdates(k: 1, row: 4, stokerFirst: stokerFirst)
        try cachedUpdates(k: 10, row: 5, stokerFirst: stokerFirst)
        if repetition == 0 { try largeCreate() }
        try openUpdates(k: 1, row: 6, referenceRow: 7, stokerFirst: stokerFirst)
        try openUpdates(k: 10, row: 8, referenceRow: 9, stokerFirst: stokerFirst)
    }

    /// C creates the small update set (zero-filled) in the first repetition, a throw-away set
    /// later; Stoker creates one set per allocation mode. Nothing is deleted before the end of
    /// the run: ext4 scans recently deleted inodes (`recently_deleted`, 30 s) when it allocates
    /// new ones, which slowed creates made right after a mass delete by up to 10x here.
    private mutating func creates(repetition: Int, stokerFirst: Bool) throws {
        log("create \(small) files (load \(Machine.loadAverage))")
        var c: CreateRate?
        func runC() throws {
            let directory = repetition == 0 ? smallSet : root + "/create-c-\(repetition)"
            Machine.flushFilesystem(containing: root)
            c = try baseline.create(directory: directory, files: small)
            log("  C zero-filled      \(ResultRow.format(c!.perSecond)) creates/s")
        }
        if !stokerFirst { try runC() }
        for (row, allocation) in [(0, WhisperAllocation.sparse), (1, .fallocate), (2, .zeroed)] {
            let directory = root + "/create-\(allocation.rawValue)-\(repetition)"
            Machine.flushFilesystem(containing: root)
            let rate = try StokerWhisperWorkloads.create(directory: directory, count: small, allocation: allocation)
            log("  Stoker \(allocation.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(ResultRow.format(rate.perSecond)) creates/s")
            rows[row].stoker.append(rate.perSecond)
        }
        if stokerFirst { try runC() }
        for row in 0...2 { rows[row].c.append(c!.perSecond) }
    }

    private mutating func largeCreate() throws {
        log("create \(large) files (load \(Machine.loadAverage))")
        Machine.flushFilesystem(containing: root)
        let c = try baseline.create(directory: largeSet, files: large)
        log("  C zero-filled      \(ResultRow.format(c.perSecond)) creates/s")
        let directory = root + "/create-large-sparse"
        Machine.flushFilesystem(containing: root)
        let s = try StokerWhisperWorkloads.create(directory: directory, count: large, allocation: .sparse)
        log("  Stoker sparse      \(ResultRow.format(s.perSecond)) creates/s")
        rows[3].c.append(c.perSecond)
        rows[3].stoker.append(s.perSecond)
    }

    private mutating func cachedUpdates(k: Int, row: Int, stokerFirst: Bool) throws {
        log("\(small) files, fds kept open, K=\(k) (load \(Machine.loadAverage))")
        let unit = rows[row].unit
        func runC() throws {
            Machine.flushFilesystem(containing: root)
            let rate = try baseline.update(mode: "cache", directory: smallSet, files: small, pointsPerUpdate: k, seconds: seconds, cpu: cpu)
            log("  C cache            \(describe(rate))")
            rows[row].c.append(value(rate, unit))
        }
        func runStoker() throws {
            Machine.flushFilesystem(containing: root)
            let files = try StokerWhisperWorkloads.openAll(directory: smallSet, count: small, keepDescriptors: true)
            let rate = try StokerWhisperWorkloads.update(files: files, pointsPerUpdate: k, seconds: seconds, reopenEachUpdate: false)
            log("  Stoker             \(describe(rate))")
            rows[row].stoker.append(value(rate, unit))
        }
        if stokerFirst { try runStoker(); try runC() } else { try runC(); try runStoker() }
    }

    private mutating func openUpdates(k: Int, row: Int, referenceRow: Int, stokerFirst: Bool) throws {
        log("\(large) files, open per update, K=\(k) (load \(Machine.loadAverage))")
        let unit = rows[row].unit
        func runC() throws {
            for mode in ["open", "openwsp"] {
                Machine.flushFilesystem(containing: root)
                let rate = try baseline.update(mode: mode, directory: largeSet, files: large, pointsPerUpdate: k, seconds: seconds, cpu: cpu)
                log("  C \(mode.padding(toLength: 16, withPad: " ", startingAt: 0)) \(describe(rate))")
                rows[mode == "open" ? row : referenceRow].c.append(value(rate, unit))
            }
        }
        func runStoker() throws {
            Machine.flushFilesystem(containing: root)
            let files = try StokerWhisperWorkloads.openAll(directory: largeSet, count: large, keepDescriptors: false)
            let rate = try StokerWhisperWorkloads.update(files: files, pointsPerUpdate: k, seconds: seconds, reopenEachUpdate: true)
            log("  Stoker             \(describe(rate))")
            rows[row].stoker.append(value(rate, unit))
            rows[referenceRow].stoker.append(value(rate, unit))
        }
        if stokerFirst { try runStoker(); try runC() } else { try runC(); try runStoker() }
    }

    private func value(_ rate: UpdateRate, _ unit: ResultRow.Unit) -> Double {
        unit == .points ? rate.pointsPerSecond : rate.updatesPerSecond
    }

    private func describe(_ rate: UpdateRate) -> String {
        "\(ResultRow.format(rate.updatesPerSecond)) updates/s, \(ResultRow.format(rate.pointsPerSecond)) points/s, "
            + String(format: "%.2f us/update, %d updates in %.2f s", rate.microsecondsPerUpdate, rate.updates, rate.seconds)
    }

    private func log(_ line: String) {
        print(line)
        fflush(nil)
    }
}
