import Glibc
import Whisper

/// Stoker's side of the whisper benchmark: the same files, layout and update pattern as
/// `tools/whisper_bench.c`, done through the Whisper module.
enum StokerWhisperWorkloads {
    /// The C tool's file shape: one archive of 1440 points at 60 s (17,308 bytes).
    static let archives = [ArchiveSpec(secondsPerPoint: 60, points: 1440)]
    static let step = 60
    /// First timestamp of every update phase: the C tool's 1,700,000,000 aligned down to the
    /// step, so that each point is its interval's timestamp and reads back as written.
    static let firstTimestamp = 1_700_000_000 - 1_700_000_000 % 60

    /// `DIR/dNNN/mNNNNNNN.wsp`, 1000 files per subdirectory (the C tool's layout).
    static func path(_ index: Int, in directory: String) -> String {
        "\(directory)/d\(zeroPadded(index / 1000, 3))/m\(zeroPadded(index, 7)).wsp"
    }

    static func subdirectory(_ index: Int, in directory: String) -> String {
        "\(directory)/d\(zeroPadded(index / 1000, 3))"
    }

    private static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Creates `count` files with `allocation`, directories included, the way the C tool's create
    /// phase does (one subdirectory per 1000 files, made inside the timed loop).
    static func create(directory: String, count: Int, allocation: WhisperAllocation) throws -> CreateRate {
        guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
            throw BenchFailure("\(directory): mkdir failed (errno \(errno))")
        }
        let start = MonotonicClock.now()
        for index in 0..<count {
            if index % 1000 == 0 { _ = mkdir(subdirectory(index, in: directory), 0o755) }
            let file = try WhisperFile.create(
                path: path(index, in: directory), archives: archives,
                xFilesFactor: 0.5, aggregationMethod: .average, allocation: allocation)
            file.closeDescriptor()
        }
        return CreateRate(files: count, seconds: MonotonicClock.now() - start)
    }

    /// Opens `count` existing files (header parsed and kept). With `keepDescriptors: false`
    /// each descriptor is released at once, so any number of files fits the open-file limit.
    static func openAll(directory: String, count: Int, keepDescriptors: Bool) throws -> [WhisperFile] {
        var files: [WhisperFile] = []
        files.reserveCapacity(count)
        for index in 0..<count {
            let file = try WhisperFile.open(path: path(index, in: directory), writable: true)
            if !keepDescriptors { file.closeDescriptor() }
            files.append(file)
        }
        return files
    }

    /// Round-robin passes over `files` for at least `seconds` (and at least one pass): pass p
    /// writes K consecutive points `firstTimestamp + (p + j) * 60`, value p, with `now` = the
    /// newest, to every file. With `reopenEachUpdate` the descriptor is released after every
    /// update (the next update reopens the file).
    static func update(files: [WhisperFile], pointsPerUpdate k: Int, seconds: Double, reopenEachUpdate: Bool) throws -> UpdateRate {
        // One array for the whole phase, rewritten in place between passes.
        var points = [WhisperPoint](repeating: WhisperPoint(timestamp: 0, value: 0), count: k)
        var pass = 0
        var updates = 0
        var stored = 0
        let start = MonotonicClock.now()
        let deadline = start + seconds
        repeat {
            let first = firstTimestamp + pass * step
            for j in 0..<k {
                points[j] = WhisperPoint(timestamp: first + j * step, value: Double(pass))
            }
            let now = first + (k - 1) * step
            if reopenEachUpdate {
                for file in files {
                    stored &+= try file.updateMany(points, now: now)
                    file.closeDescriptor()
                }
            } else {
                for file in files {
                    stored &+= try file.updateMany(points, now: now)
                }
            }
            updates += files.count
            pass += 1
        } while MonotonicClock.now() < deadline
        let elapsed = MonotonicClock.now() - start
        guard stored == updates * k else {
            throw BenchFailure("updateMany stored \(stored) points, expected \(updates * k)")
        }
        // Spot check: the newest point of the last pass reads back from the first and last file.
        let lastFirst = firstTimestamp + (pass - 1) * step
        let newest = lastFirst + (k - 1) * step
        for file in [files.first!, files.last!] {
            let series = try file.fetch(from: newest - step, until: newest + step, now: newest)
            let found = series?.points.contains { $0.timestamp == newest && $0.value == Double(pass - 1) } ?? false
            guard found else { throw BenchFailure("\(file.path): newest point \(newest) = \(pass - 1) not read back; fetched \(String(describing: series))") }
            if reopenEachUpdate { file.closeDescriptor() }
        }
        return UpdateRate(updates: updates, seconds: elapsed, pointsPerUpdate: k)
    }
}
