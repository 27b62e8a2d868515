import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Whisper
import XCTest
@testable import Manhole
@testable import ManholeLanguage

/// End to end with the real OpenSSH client (`/usr/bin/ssh`) against an in-process server over a
/// real MetricCache and CacheWriter.
final class ManholeSSHTests: XCTestCase {
    private var fixture: ManholeFixture!

    override func setUpWithError() throws {
        fixture = try ManholeFixture()
    }

    override func tearDown() {
        fixture?.tearDown()
        fixture = nil
    }

    /// Three points ten seconds apart, recent enough for the whisper retention, under `metric`.
    private func storeThreePoints(_ metric: String) -> (points: [CachedPoint], printed: String) {
        let now = Int(Date().timeIntervalSince1970)
        let base = Double(now - now % 10 - 60)
        let points = [CachedPoint(timestamp: base, value: 93800), CachedPoint(timestamp: base + 10, value: 98200),
                      CachedPoint(timestamp: base + 20, value: 91900)]
        for point in points.reversed() { fixture.cache.store(metric, point) }
        let printed = "[" + points.map { "(\(PythonValue.repr($0.timestamp)), \(PythonValue.repr($0.value)))" }.joined(separator: ", ") + "]"
        return (points, printed)
    }

    // MARK: authentication

    func testEd25519KeyExecPrintsTheResultAndExitsZero() throws {
        fixture.cache.store("exec.ed25519.metric", CachedPoint(timestamp: 1_700_000_000, value: 4))
        defer { _ = fixture.cache.pop("exec.ed25519.metric") }
        let result = try fixture.client().run(command: "MetricCache.get_datapoints('exec.ed25519.metric')")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "[(1700000000.0, 4.0)]\n")
    }

    func testRSAKeyFromAuthorizedKeysFileIsAccepted() throws {
        let result = try fixture.client(key: fixture.keys.rsaKey).run(command: "1 + 1")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "2\n")
    }

    func testECDSAKeyIsAccepted() throws {
        let result = try fixture.client(key: fixture.keys.ecdsaKey).run(command: "print 'ok'")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "ok\n")
    }

    func testUnknownKeyIsRefused() throws {
        let result = try fixture.client(key: fixture.keys.strangerKey).run(command: "1 + 1")
        XCTAssertEqual(result.status, 255)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("Permission denied (publickey)"), result.stderr)
    }

    func testWrongUserIsRefusedEvenWithTheRightKey() throws {
        let result = try fixture.client(user: "root").run(command: "1 + 1")
        XCTAssertEqual(result.status, 255)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("Permission denied (publickey)"), result.stderr)
    }

    func testPasswordAndKeyboardInteractiveAreRefused() throws {
        for method in ["password", "keyboard-interactive", "none"] {
            let result = try fixture.client().run(["-o", "PreferredAuthentications=\(method)"], command: "1 + 1")
            XCTAssertEqual(result.status, 255, method)
            XCTAssertEqual(result.stdout, "", method)
            XCTAssertTrue(result.stderr.contains("Permission denied"), "\(method): \(result.stderr)")
        }
    }

    // MARK: exec and piped statements

    func testExecErrorGoesToStderrWithStatusOne() throws {
        let result = try fixture.client().run(command: "MetricCache['no.such.metric.exec']")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            Traceback (most recent call last):
              File "<console>", line 1, in <module>
            KeyError: 'no.such.metric.exec'

            """)
        XCTAssertTrue(fixture.cache.points(of: "no.such.metric.exec").isEmpty)
        XCTAssertFalse(fixture.cache.metricNames().contains("no.such.metric.exec"), "reading never creates a metric")

        let syntax = try fixture.client().run(command: "MetricCache[")
        XCTAssertEqual(syntax.status, 1)
        XCTAssertEqual(syntax.stderr, """
              File "<console>", line 1
                MetricCache[
                            ^
            SyntaxError: invalid syntax

            """)
    }

    func testStatementsPipedWithoutAPtyRunLineByLine() throws {
        let metric = "piped.apps.one"
        let (_, printed) = storeThreePoints(metric)
        defer { _ = fixture.cache.pop(metric) }
        let result = try fixture.client().run(["-T"], stdin: """
            from carbon.cache import MetricCache
            print MetricCache['\(metric)']
            x = 6 * 7
            print(x)
            nosuchname
            len(MetricCache['\(metric)'])
            """)
        XCTAssertEqual(result.status, 1, "a failed statement makes the exit status 1")
        XCTAssertEqual(result.stdout, printed + "\n42\n3\n")
        XCTAssertTrue(result.stderr.contains("NameError: name 'nosuchname' is not defined"), result.stderr)
    }

    // MARK: the classic session through a pty

    func testClassicSessionThroughAPtyAndWriteToWhisper() throws {
        let metric = "PROD.apps.xxx.yyy.zzz"
        let (points, printed) = storeThreePoints(metric)
        let result = try fixture.client().run(["-tt"], stdin: """
            from carbon.cache import MetricCache
            print MetricCache['PROD.apps.xxx.yyy.zzz']
            MetricCache.counts()
            from carbon.writer import writeCachedDataPoints
            writeCachedDataPoints()
            MetricCache.counts()
            exit()

            """)
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = result.stdout
        XCTAssertTrue(output.contains(">>> "), output)
        XCTAssertTrue(output.contains("\r\n" + printed + "\r\n>>> "), output)
        XCTAssertTrue(output.contains("('PROD.apps.xxx.yyy.zzz', 3)"), output)
        XCTAssertTrue(output.contains("wrote "), output)
        XCTAssertFalse(output.contains("Error"), output)

        let path = try MetricPath.filePath(for: metric, dataDirectory: fixture.dataDirectory)
        let file = try WhisperFile.open(path: path, writable: false)
        let first = Int(points[0].timestamp)
        let series = try XCTUnwrap(file.fetch(from: first - 1, until: first + 20, now: Int(Date().timeIntervalSince1970)))
        XCTAssertEqual(series.values.compactMap { $0 }, [93800, 98200, 91900])
        XCTAssertTrue(fixture.cache.points(of: metric).isEmpty)

        // The same file through the manhole's whisper commands, and the writer's counters.
        let fetched = try fixture.client().run(command: "whisper.fetch('\(metric)', \(first - 1), \(first + 20))[1]; "
            + "whisper.info('\(metric)')['archives'][0]['secondsPerPoint']; writer.stats['committedPoints']")
        XCTAssertEqual(fetched.status, 0, fetched.stderr)
        XCTAssertEqual(fetched.stdout, "[93800.0, 98200.0, 91900.0]\n10\n3\n")
    }

    func testLineEditingTabCompletionAndHistoryThroughAPty() throws {
        fixture.cache.store("tab.only.metric", CachedPoint(timestamp: 1, value: 1))
        // Tab completes the name, the arrow key recalls the line, backspace edits it.
        let result = try fixture.client().run(["-tt"], stdin: "MetricCa\t.size\r\u{1b}[A\u{7f}\u{7f}\u{7f}\u{7f}queues\r"
            + "len(MetricCache.names('tab.o\t'))\r\u{04}")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\r\n1\r\n>>> "), result.stdout.debugDescription)
        XCTAssertTrue(result.stdout.contains("AttributeError: 'MetricCache' object has no attribute 'queues'\r\n"),
                      result.stdout.debugDescription)
        XCTAssertTrue(result.stdout.contains("len(MetricCache.names('tab.only."), result.stdout.debugDescription)
    }

    func testCtrlCStopsARunningWatch() throws {
        let result = try fixture.client().run(["-tt"], stdin: "watch('watched.*')\n\u{03}print 'after'\n\u{04}")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("watching 'watched.*' (Ctrl-C to stop)\r\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("after\r\n"), result.stdout)
    }
}
