import Delivery
import Foundation
import FoundationNetworking
import Glibc
import Whisper

/// The read benchmark's files: `bench.gGGGG.mMMMM`, a day at 10-minute resolution (144 points,
/// all written), made once and reused by later runs.
enum ReadBenchFiles {
    static let perDirectory = 1000
    static let retention = "600:144"

    /// Creates the files unless a previous run finished them; returns the seconds it took (nil:
    /// reused).
    static func ensure(data: String, series: Int, log: (String) -> Void) throws -> Double? {
        let marker = data + "/.complete"
        if FileManager.default.fileExists(atPath: marker) { return nil }
        log("creating \(series) whisper files under \(data) (once; later runs reuse them)")
        let began = MonotonicClock.now()
        let now = Int(Date().timeIntervalSince1970)
        let points = (0..<144).map { WhisperPoint(timestamp: now - $0 * 600, value: Double($0)) }
        for index in 0..<series {
            let group = index / perDirectory, member = index % perDirectory
            let directory = data + String(format: "/bench/g%04d", group)
            if member == 0 {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let path = directory + String(format: "/m%04d.wsp", member)
            let file: WhisperFile
            do {
                file = try WhisperFile.create(path: path, archives: [ArchiveSpec(secondsPerPoint: 600, points: 144)], xFilesFactor: 0,
                                              allocation: .sparse)
            } catch WhisperError.fileExists {
                continue
            }
            _ = try file.updateMany(points, now: now)
            file.closeDescriptor()
            if index % 100_000 == 99_999 { log("\(index + 1) files") }
        }
        _ = FileManager.default.createFile(atPath: marker, contents: Data())
        return MonotonicClock.now() - began
    }

    /// A plaintext connection to this machine's `port` (Delivery's blocking connection, with a
    /// timeout far beyond any run).
    static func connect(port: Int) throws -> Int32 {
        switch BlockingConnection.open(host: "127.0.0.1", port: port, timeout: 900) {
        case let .success(fd): return fd
        case let .failure(failure): throw BenchFailure("cannot connect to 127.0.0.1:\(port): \(failure)")
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        guard BlockingConnection.sendAll(fd, bytes) else { throw BenchFailure("plaintext write failed: errno \(errno)") }
    }

    static func send(port: Int, lines: [String]) throws {
        let fd = try connect(port: port)
        defer { close(fd) }
        try writeAll(fd, Array(lines.joined().utf8))
    }
}

/// GETs with their wall time, through one shared URLSession (keep-alive, as graphite-web's
/// cluster client keeps its connections).
enum HTTPTimer {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 900
        configuration.timeoutIntervalForResource = 900
        return URLSession(configuration: configuration)
    }()

    static func get(_ url: String) async throws -> (Int, Data) {
        let (data, response) = try await session.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Seconds the whole answer took; a status other than 200 fails the run.
    static func time(_ url: String) async throws -> Double {
        let began = MonotonicClock.now()
        let (status, data) = try await get(url)
        guard status == 200 else { throw BenchFailure("\(url) -> HTTP \(status): \(String(decoding: data.prefix(300), as: UTF8.self))") }
        return MonotonicClock.now() - began
    }
}

/// Debian's graphite-web served by Django's runserver on a free port, reading the benchmark's
/// files (no carbonlink: the files are all there is).
final class GraphiteWebChild {
    let process: Process
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    static func start(scratch: String, data: String, log: (String) -> Void) throws -> GraphiteWebChild {
        guard FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/graphite/settings.py") else {
            throw BenchFailure("graphite-web is not installed (apt-get install graphite-web), or pass --skip-graphite-web")
        }
        let directory = scratch + "/graphite-web"
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let settings = """
            SECRET_KEY = 'stoker-bench'
            STORAGE_DIR = '\(directory)'
            LOG_DIR = '\(directory)/log'
            INDEX_FILE = '\(directory)/index'
            WHISPER_DIR = '\(data)/'
            STANDARD_DIRS = ['\(data)/']
            CARBONLINK_HOSTS = []
            FETCH_TIMEOUT = 900
            FIND_TIMEOUT = 900
            METRICS_FIND_WARNING_THRESHOLD = float('inf')
            ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
            LOG_RENDERING_PERFORMANCE = False
            LOG_CACHE_PERFORMANCE = False
            DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': '\(directory)/graphite.db'}}

            """
        try settings.write(toFile: directory + "/stoker_bench_local.py", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = directory
        environment["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
        environment["GRAPHITE_SETTINGS_MODULE"] = "stoker_bench_local"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let migrate = Process()
        migrate.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        migrate.arguments = ["-m", "django", "migrate", "--run-syncdb", "-v", "0"]
        migrate.environment = environment
        migrate.currentDirectoryURL = URL(fileURLWithPath: directory)
        try migrate.run()
        migrate.waitUntilExit()
        let port = try Machine.freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "django", "runserver", "--noreload", "127.0.0.1:\(port)"]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let child = GraphiteWebChild(process: process, url: "http://127.0.0.1:\(port)")
        let deadline = MonotonicClock.now() + 120
        while MonotonicClock.now() < deadline {
            if let fd = try? ReadBenchFiles.connect(port: port) {
                close(fd)
                log("graphite-web on port \(port)")
                return child
            }
            usleep(100_000)
        }
        child.stop()
        throw BenchFailure("graphite-web did not start")
    }

    /// SIGTERM, then SIGKILL after 5 s (Django's runserver may not stop on SIGTERM).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = MonotonicClock.now() + 5
        while process.isRunning, MonotonicClock.now() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { usleep(50_000) }
    }
}
