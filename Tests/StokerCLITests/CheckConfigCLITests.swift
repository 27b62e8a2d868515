import Foundation
import XCTest

/// `stoker check-config`: the exact report for a configuration, and the exact refusal (key,
/// value, reason; exit 2 like `serve`) for each kind of broken one.
final class CheckConfigCLITests: XCTestCase {
    private static let publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGKV31D4wj9weYkWJ/rgve8DTZPQJZlzlSaiBcXj3tqF ops@example"

    private func write(_ box: Sandbox, _ files: [String: String]) throws {
        for (name, text) in files { try box.write(name, Data(text.utf8)) }
    }

    private func checkConfig(_ box: Sandbox, _ arguments: [String]) throws -> CommandResult {
        try CLI.stoker(["check-config"] + arguments, in: box.url)
    }

    private let schemas = """
        [carbon]
        pattern = ^carbon\\.
        retentions = 60:90d

        [default]
        pattern = .*
        retentions = 10s:6h,1m:7d,10m:5y

        """

    private let aggregation = """
        [min]
        pattern = \\.lower$
        xFilesFactor = 0.1
        aggregationMethod = min

        [sum]
        pattern = \\.count$
        xFilesFactor = 0
        aggregationMethod = sum

        """

    func testFullReportForInstanceWithRulesFiltersAndSampleMetrics() throws {
        let box = try Sandbox()
        try write(box, [
            "stoker.conf": """
                [cache]
                STORAGE_DIR = /var/lib/stoker
                MAX_CACHE_SIZE = 2000000
                CACHE_WRITE_STRATEGY = max
                MAX_UPDATES_PER_SECOND = 500
                MAX_UPDATES_PER_SECOND_ON_SHUTDOWN = inf
                USE_WHITELIST = true
                ENABLE_MANHOLE = true
                MANHOLE_USER = admin
                MANHOLE_PUBLIC_KEY = \(Self.publicKey)
                LOG_DIR = /var/log/carbon
                NO_SUCH_KEY = 1

                [cache:b]
                LINE_RECEIVER_PORT = 2103
                PICKLE_RECEIVER_PORT = 2104
                CACHE_QUERY_PORT = 7102

                [statsd]
                flushInterval = 5000
                percentThreshold = 90,-10
                histogram = api.:10,100,inf
                deleteIdleStats = true
                deleteGauges = false
                graphiteHost = relay.example
                globalSuffix = x

                """,
            "storage-schemas.conf": schemas,
            "storage-aggregation.conf": aggregation,
            "whitelist.conf": "^stats\\.\n^carbon\\.\n",
            "blacklist.conf": "secret\n",
        ])
        let result = try checkConfig(box, ["--config", "stoker.conf", "--instance", "b", "stats.api.count",
                                           "stats.timers.api.lower", "stats.secret.count", "other.metric", "stats.a..b"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, #"""
# stoker.conf (instance b): valid

[cache]
ENABLED = True
STORAGE_DIR = /var/lib/stoker
LOCAL_DATA_DIR = /var/lib/stoker/whisper
WHITELISTS_DIR = .
LINE_RECEIVER_INTERFACE = 0.0.0.0
LINE_RECEIVER_PORT = 2103
LINE_RECEIVER_MAX_LENGTH = 16384
ENABLE_UDP_LISTENER = False
UDP_RECEIVER_INTERFACE = 0.0.0.0
UDP_RECEIVER_PORT = 2003
PICKLE_RECEIVER_INTERFACE = 0.0.0.0
PICKLE_RECEIVER_PORT = 2104
PICKLE_RECEIVER_MAX_LENGTH = 1048576
CACHE_QUERY_INTERFACE = 0.0.0.0
CACHE_QUERY_PORT = 7102
MAX_RECEIVER_CONNECTIONS = inf
METRIC_CLIENT_IDLE_TIMEOUT = inf
MIN_TIMESTAMP_RESOLUTION = 1
USE_WHITELIST = True
USE_INSECURE_UNPICKLER = False
MAX_CACHE_SIZE = 2000000
MAX_CACHE_MEMORY = auto
USE_FLOW_CONTROL = True
CACHE_WRITE_STRATEGY = max
MIN_TIMESTAMP_LAG = 0
CACHE_SHARDS = 64
MAX_UPDATES_PER_SECOND = 500
MAX_UPDATES_PER_SECOND_ON_SHUTDOWN = inf
MAX_CREATES_PER_MINUTE = inf
WHISPER_FALLOCATE_CREATE = True
WHISPER_SPARSE_CREATE = False
WHISPER_LOCK_WRITES = False
WHISPER_AUTOFLUSH = False
WHISPER_FADVISE_RANDOM = False
TAG_HASH_FILENAMES = True
WRITER_THREADS = 0
MAX_OPEN_FILES = 0
WAL_DIR = /var/lib/stoker/wal
WAL_FSYNC_INTERVAL = 1
GRAPHITE_URL =
ENABLE_TAGS = True
TAG_UPDATE_INTERVAL = 100
TAG_BATCH_SIZE = 100
TAG_QUEUE_SIZE = 10000
CARBON_METRIC_PREFIX = carbon
CARBON_METRIC_INTERVAL = 60
ENABLE_MANHOLE = True
MANHOLE_INTERFACE = 127.0.0.1
MANHOLE_PORT = 7222
MANHOLE_USER = admin
MANHOLE_PUBLIC_KEY = ssh-ed25519 (key hidden) ops@example
MANHOLE_AUTHORIZED_KEYS =
MANHOLE_HOST_KEY_DIR = /var/lib/stoker/manhole
MANHOLE_RSA_MIN_SIZE = 2048
MANHOLE_MAX_CONNECTIONS = 8
MANHOLE_LOGIN_TIMEOUT = 30
MANHOLE_IDLE_TIMEOUT = 3600
LOG_LEVEL = info

[statsd]
enabled = True
address = 0.0.0.0
port = 8125
address_ipv6 = False
mgmt_address = 0.0.0.0
mgmt_port = 8126
tcp_address = 0.0.0.0
tcp_port = 8125
reader_threads = 2
receive_buffer = 33554432
flushInterval = 5000
percentThreshold = 90,-10
histogram = api.:10,100,inf
calculatedTimerMetrics =
deleteIdleStats = True
deleteCounters = (unset: deleteIdleStats = True)
deleteTimers = (unset: deleteIdleStats = True)
deleteGauges = False
deleteSets = (unset: deleteIdleStats = True)
gaugesMaxTTL = 1
flush_counts = True
prefixStats = statsd
legacyNamespace = True
globalPrefix = stats
prefixCounter = counters
prefixTimer = timers
prefixGauge = gauges
prefixSet = sets
globalSuffix = x
keyNameSanitize = True
graphiteHost = relay.example
graphitePort = 2003
forward_buffer_flushes = 360
dumpMessages = False
state_file = /var/lib/stoker/statsd-state.json
max_line_length = 65536
max_keys_per_interval = 1000000
unix_socket =
unix_socket_mode = 0666
service_check_prefix = service_checks

[api]
interface = 127.0.0.1
port = 8080
max_concurrent_requests = 16
max_series_per_request = 100000
max_request_seconds = 30
max_request_bytes = 1048576

# storage rules
storage-schemas.conf = ./storage-schemas.conf
  [carbon] pattern = ^carbon\. retentions = 1m:90d (60:129600)
  [default] pattern = .* retentions = 10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)
  (no match) retentions = 1m:7d (60:10080)
storage-aggregation.conf = ./storage-aggregation.conf
  [min] pattern = \.lower$ xFilesFactor = 0.1 aggregationMethod = min
  [sum] pattern = \.count$ xFilesFactor = 0 aggregationMethod = sum
  (no match) xFilesFactor = 0.5 aggregationMethod = average
quotas.conf = (none: no quotas)

# warnings
warning: stoker.conf: unknown key NO_SUCH_KEY ignored

metric stats.api.count
  filter = allowed
  schema = [default] retentions = 10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)
  aggregation = [sum] xFilesFactor = 0 aggregationMethod = sum
  file = /var/lib/stoker/whisper/stats/api/count.wsp

metric stats.timers.api.lower
  filter = allowed
  schema = [default] retentions = 10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)
  aggregation = [min] xFilesFactor = 0.1 aggregationMethod = min
  file = /var/lib/stoker/whisper/stats/timers/api/lower.wsp

metric stats.secret.count
  filter = dropped (matches blacklist.conf)
  schema = [default] retentions = 10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)
  aggregation = [sum] xFilesFactor = 0 aggregationMethod = sum
  file = /var/lib/stoker/whisper/stats/secret/count.wsp

metric other.metric
  filter = dropped (matches no whitelist.conf pattern)
  schema = [default] retentions = 10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)
  aggregation = (no match: whisper's defaults) xFilesFactor = 0.5 aggregationMethod = average
  file = /var/lib/stoker/whisper/other/metric.wsp

metric stats.a..b
  refused = metric name "stats.a..b" has an empty path component

"""#)
        XCTAssertFalse(result.stdout.contains("AAAAC3NzaC1lZDI1NTE5"), "the key material must not be printed")
    }

    func testDefaultsWithoutRuleFilesAndTaggedNames() throws {
        let box = try Sandbox()
        try write(box, ["stoker.conf": "[cache]\nLOCAL_DATA_DIR = data\n"])
        let result = try checkConfig(box, ["--config", "stoker.conf", "x;b=1;a=2", "carbon.agents.h-a.cpuUsage"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let tail = result.stdout.components(separatedBy: "# storage rules\n").last ?? ""
        XCTAssertEqual(tail, """
            storage-schemas.conf = (none)
              (no match) retentions = 1m:7d (60:10080)
            storage-aggregation.conf = (none)
              (no match) xFilesFactor = 0.5 aggregationMethod = average
            quotas.conf = (none: no quotas)

            # warnings
            warning: ./storage-schemas.conf not found: every new file gets the default retention 60:10080

            metric x;b=1;a=2
              normalized = x;a=2;b=1
              schema = [default] retentions = 1m:7d (60:10080)
              aggregation = (no match: whisper's defaults) xFilesFactor = 0.5 aggregationMethod = average
              file = data/_tagged/ea9/b72/ea9b726126de83ff3ee19056ee41a3e2389e816d9d0bb873daa25347627b7943.wsp

            metric carbon.agents.h-a.cpuUsage
              schema = [default] retentions = 1m:7d (60:10080)
              aggregation = (no match: whisper's defaults) xFilesFactor = 0.5 aggregationMethod = average
              file = data/carbon/agents/h-a/cpuUsage.wsp

            """)
        XCTAssertTrue(result.stdout.hasPrefix("# stoker.conf (instance a): valid\n\n[cache]\nENABLED = True\nSTORAGE_DIR = storage\nLOCAL_DATA_DIR = data\n"),
                      result.stdout)
        XCTAssertTrue(result.stdout.contains("\n[statsd]\nenabled = True\naddress = 0.0.0.0\nport = 8125\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\ngraphiteHost = (unset: no upstream copy)\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\nstate_file = storage/statsd-state.json\n"), result.stdout)
    }

    /// No --config: the embedded defaults `serve` runs with. statsd's namespaces get one slot
    /// per 10-second flush (so no flush overwrites another) with sums for counts, min/max for
    /// bounds, also for tagged names; every other name keeps carbon's implicit 60:10080.
    func testEmbeddedDefaultsGiveStatsdItsOwnSlots() throws {
        let box = try Sandbox()
        let statsd = "10s:6h,1m:7d,10m:5y (10:2160,60:10080,600:262800)"
        let cases: [(String, String, String)] = [
            ("stats_counts.page.views", statsd, "xFilesFactor = 0 aggregationMethod = sum"),
            ("stats.page.views", statsd, "xFilesFactor = 0.5 aggregationMethod = average"),
            ("stats.timers.api.upper_90", statsd, "xFilesFactor = 0.1 aggregationMethod = max"),
            ("stats.timers.api.lower", statsd, "xFilesFactor = 0.1 aggregationMethod = min"),
            ("stats.timers.api.count", statsd, "xFilesFactor = 0 aggregationMethod = sum"),
            ("stats.timers.api.count_ps", statsd, "xFilesFactor = 0.5 aggregationMethod = average"),
            ("stats.timers.api.sum_90;env=prod", statsd, "xFilesFactor = 0 aggregationMethod = sum"),
            ("stats.timers.api.histogram.bin_100", statsd, "xFilesFactor = 0 aggregationMethod = sum"),
            ("stats.gauges.queue", statsd, "xFilesFactor = 0.5 aggregationMethod = average"),
            ("statsd.numStats", statsd, "xFilesFactor = 0.5 aggregationMethod = average"),
            ("carbon.agents.h-a.cpuUsage", "1m:90d (60:129600)", "xFilesFactor = 0.5 aggregationMethod = average"),
            ("hello.lower", "1m:7d (60:10080)", "xFilesFactor = 0.5 aggregationMethod = average"),
            ("statsdx.count", "1m:7d (60:10080)", "xFilesFactor = 0.5 aggregationMethod = average"),
        ]
        let result = try checkConfig(box, cases.map(\.0))
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.hasPrefix("# (embedded defaults: no --config) (instance a): valid\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("warning:"), result.stdout)
        for (metric, retentions, policy) in cases {
            let report = result.stdout.components(separatedBy: "\nmetric \(metric)\n").last?
                .components(separatedBy: "\n\n").first ?? ""
            XCTAssertTrue(report.contains("retentions = \(retentions)\n"), "\(metric): \(report)")
            XCTAssertTrue(report.contains(policy), "\(metric): \(report)")
        }
    }

    func testStatsdOnlyModeIsValidWithAnUpstream() throws {
        let box = try Sandbox()
        try write(box, ["stoker.conf": "[cache]\nENABLED = false\n[statsd]\ngraphiteHost = 127.0.0.1\ngraphitePort = 2013\n"])
        let result = try checkConfig(box, ["--config", "stoker.conf"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("\n[cache]\nENABLED = False\n# statsd-only mode = no carbon listeners, no files\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\ngraphiteHost = 127.0.0.1\ngraphitePort = 2013\n"), result.stdout)
    }

    private func assertRefused(_ files: [String: String], _ arguments: [String], stderr expected: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let box = try Sandbox()
        try write(box, files)
        let result = try checkConfig(box, arguments)
        XCTAssertEqual(result.status, 2, "\(result)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertEqual(result.stderr, expected, file: file, line: line)
    }

    func testInvalidCacheValueNamesKeyValueAndReason() throws {
        try assertRefused(["stoker.conf": "[cache]\nMAX_CACHE_SIZE = lots\n"], ["--config", "stoker.conf"],
                          stderr: "[ERROR] stoker.conf: MAX_CACHE_SIZE = lots: expected a non-negative number or inf\n")
    }

    func testInvalidValueOnlyInTheInstanceSectionIsFoundForThatInstance() throws {
        let files = ["stoker.conf": "[cache]\nLINE_RECEIVER_PORT = 2003\n[cache:b]\nLINE_RECEIVER_PORT = 70000\n"]
        try assertRefused(files, ["--config", "stoker.conf", "--instance", "b"],
                          stderr: "[ERROR] stoker.conf: LINE_RECEIVER_PORT = 70000: expected a whole number from 0 to 65535\n")
        let box = try Sandbox()
        try write(box, files)
        XCTAssertEqual(try checkConfig(box, ["--config", "stoker.conf"]).status, 0)
    }

    func testInvalidStatsdValue() throws {
        try assertRefused(["stoker.conf": "[cache]\n[statsd]\nflushInterval = soon\n"], ["--config", "stoker.conf"],
                          stderr: "[ERROR] stoker.conf: FLUSHINTERVAL = soon: expected a whole number from 0 to 86400000\n")
    }

    func testInvalidRetentionInStorageSchemas() throws {
        try assertRefused(["stoker.conf": "[cache]\n", "storage-schemas.conf": "[x]\npattern = .*\nretentions = 10q:1d\n"],
                          ["--config", "stoker.conf"],
                          stderr: "[ERROR] Invalid retentions '10q:1d' in section [x] in ./storage-schemas.conf: Invalid unit 'q'\n")
    }

    func testInvalidAggregationMethod() throws {
        try assertRefused(["stoker.conf": "[cache]\n", "storage-aggregation.conf": "[x]\npattern = .*\naggregationMethod = median\n"],
                          ["--config", "stoker.conf"],
                          stderr: "[ERROR] Invalid aggregationMethod 'median' in section [x] in ./storage-aggregation.conf: must be one of average, sum, last, max, min, avg_zero, absmax, absmin\n")
    }

    func testStatsdOnlyWithoutUpstreamIsRefused() throws {
        try assertRefused(["stoker.conf": "[cache]\nENABLED = false\n"], ["--config", "stoker.conf"],
                          stderr: "[ERROR] stoker.conf: ENABLED = false: statsd-only mode needs [statsd] graphiteHost: its flushes would go nowhere\n")
    }

    func testManholeWithoutKeyIsRefused() throws {
        try assertRefused(["stoker.conf": "[cache]\nENABLE_MANHOLE = true\nMANHOLE_USER = admin\n"], ["--config", "stoker.conf"],
                          stderr: "[ERROR] stoker.conf: MANHOLE_PUBLIC_KEY = None: ENABLE_MANHOLE needs MANHOLE_PUBLIC_KEY or MANHOLE_AUTHORIZED_KEYS (Stoker has no passwordless login)\n")
    }

    func testMissingConfigFile() throws {
        let box = try Sandbox()
        let result = try checkConfig(box, ["--config", "absent.conf"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.hasPrefix("[ERROR] absent.conf"), result.stderr)
        XCTAssertTrue(result.stderr.contains("No such file or directory"), result.stderr)
    }

    // MARK: - What check-config predicts is what serve creates

    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// {metric: (raw retentions "10:2160,...", xFilesFactor, method, file)} from the report.
    private func predictions(_ report: String) -> [String: (archives: String, xff: Double, method: String, file: String)] {
        var result: [String: (archives: String, xff: Double, method: String, file: String)] = [:]
        for block in report.components(separatedBy: "\nmetric ").dropFirst() {
            let lines = block.split(separator: "\n").map(String.init)
            func field(_ key: String) -> String? {
                lines.first { $0.hasPrefix("  \(key) = ") }.map { String($0.dropFirst(key.count + 5)) }
            }
            guard let schema = field("schema"), let aggregation = field("aggregation"), let file = field("file"),
                  let open = schema.lastIndex(of: "("), let words = Optional(aggregation.split(separator: " ")),
                  let xff = words.firstIndex(of: "xFilesFactor"), let method = words.firstIndex(of: "aggregationMethod")
            else { continue }
            result[lines[0]] = (String(schema[schema.index(after: open)...].dropLast()),
                                Double(words[xff + 2]) ?? .nan, String(words[method + 2]), file)
        }
        return result
    }

    func testSampleMetricReportMatchesTheFilesServeCreates() throws {
        let box = try Sandbox()
        let ports = try (0..<3).map { _ in try freePort() }
        try write(box, [
            "stoker.conf": """
                [cache]
                LOCAL_DATA_DIR = data
                LINE_RECEIVER_INTERFACE = 127.0.0.1
                LINE_RECEIVER_PORT = \(ports[0])
                PICKLE_RECEIVER_INTERFACE = 127.0.0.1
                PICKLE_RECEIVER_PORT = \(ports[1])
                CACHE_QUERY_INTERFACE = 127.0.0.1
                CACHE_QUERY_PORT = \(ports[2])
                CARBON_METRIC_INTERVAL = 0
                WHISPER_FALLOCATE_CREATE = False
                WHISPER_SPARSE_CREATE = True

                [statsd]
                enabled = false

                """,
            "storage-schemas.conf": schemas,
            "storage-aggregation.conf": aggregation,
        ])
        let metrics = ["stats.api.count", "stats.timers.api.lower", "carbon.agents.x.cpuUsage", "other.metric"]
        let report = assertSuccess(try checkConfig(box, ["--config", "stoker.conf"] + metrics), "check-config")
        let predicted = predictions(report)
        XCTAssertEqual(Set(predicted.keys), Set(metrics), report)
        // The four cover both schemas and all three aggregation outcomes.
        XCTAssertEqual(Set(predicted.values.map(\.archives)), ["60:129600", "10:2160,60:10080,600:262800"])
        XCTAssertEqual(Set(predicted.values.map(\.method)), ["sum", "min", "average"])

        let server = try CLI.start(try CLI.stokerPath(), ["serve", "--config", "stoker.conf"], in: box.url)
        defer { if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) } }
        XCTAssertTrue(server.waitForError(containing: "event=started", timeout: 30), "\(server.result())")
        let now = Int(Date().timeIntervalSince1970)
        let lines = metrics.map { "\($0) 1 \(now - 60)" }.joined(separator: "\n")
        assertSuccess(try CLI.run("/bin/bash", ["-c", "printf '%s\\n' \"$1\" > /dev/tcp/127.0.0.1/\(ports[0])", "-", lines],
                                  in: box.url), "sending plaintext")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !predicted.values.allSatisfy({ box.exists($0.file) }) { Thread.sleep(forTimeInterval: 0.05) }
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0, "\(server.result())")

        for metric in metrics {
            let expected = try XCTUnwrap(predicted[metric])
            let info = assertSuccess(try CLI.stoker(["whisper", "info", expected.file, "--json"], in: box.url), "info \(metric)")
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any])
            let archives = try XCTUnwrap(json["archives"] as? [[String: Any]])
                .map { "\($0["secondsPerPoint"] as? Int ?? -1):\($0["points"] as? Int ?? -1)" }.joined(separator: ",")
            XCTAssertEqual(archives, expected.archives, metric)
            XCTAssertEqual(json["aggregationMethod"] as? String, expected.method, metric)
            XCTAssertEqual((json["xFilesFactor"] as? Double).map(Float.init), Float(expected.xff), metric)
        }
    }
}
