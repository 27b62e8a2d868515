import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import XCTest
@testable import Manhole
@testable import ManholeLanguage

final class InterpreterTests: XCTestCase {
    private func storeClassic(_ harness: InterpreterHarness) {
        // Stored out of order: the manhole prints them in time order.
        harness.cache.store("PROD.apps.xxx.yyy.zzz", CachedPoint(timestamp: 1_357_861_613, value: 98200))
        harness.cache.store("PROD.apps.xxx.yyy.zzz", CachedPoint(timestamp: 1_357_861_603, value: 93800))
        harness.cache.store("PROD.apps.xxx.yyy.zzz", CachedPoint(timestamp: 1_357_861_623, value: 91900))
    }

    func testClassicSessionVerbatim() {
        let h = InterpreterHarness()
        storeClassic(h)
        XCTAssertEqual(h.output("from carbon.cache import MetricCache"), "")
        XCTAssertEqual(h.output("print MetricCache['PROD.apps.xxx.yyy.zzz']"),
                       "[(1357861603.0, 93800.0), (1357861613.0, 98200.0), (1357861623.0, 91900.0)]\n")
        XCTAssertEqual(h.output("MetricCache.counts()"), "[('PROD.apps.xxx.yyy.zzz', 3)]\n")
        XCTAssertEqual(h.output("from carbon.writer import writeCachedDataPoints"), "")
        XCTAssertEqual(h.output("writeCachedDataPoints()"), "wrote 3 datapoints (1 metrics were cached)\n")
        XCTAssertEqual(h.written["PROD.apps.xxx.yyy.zzz"]?.count, 3)
        XCTAssertEqual(h.output("MetricCache.counts()"), "[]\n")
    }

    func testCarbon11Spellings() {
        let h = InterpreterHarness()
        storeClassic(h)
        h.cache.store("b.metric", CachedPoint(timestamp: 1, value: 2))
        XCTAssertEqual(h.output("carbon.cache.MetricCache()['b.metric']"), "[(1.0, 2.0)]\n")
        XCTAssertEqual(h.output("carbon.cache.MetricCache().counts"), "[('PROD.apps.xxx.yyy.zzz', 3), ('b.metric', 1)]\n")
        XCTAssertEqual(h.output("mc = carbon.cache.MetricCache(); mc.size"), "4\n")
        XCTAssertEqual(h.output("len(mc)"), "2\n")
        XCTAssertEqual(h.output("print(len(mc['PROD.apps.xxx.yyy.zzz']), mc.size)"), "3 4\n")
        XCTAssertEqual(h.output("mc.get_datapoints('nothing.here')"), "[]\n")
        XCTAssertEqual(h.output("import carbon.writer"), "")
        XCTAssertEqual(h.output("carbon.writer.writeCachedDataPoints()"), "wrote 4 datapoints (2 metrics were cached)\n")
    }

    func testOneLinersWithoutImportWork() {
        let h = InterpreterHarness()
        storeClassic(h)
        XCTAssertEqual(h.output("MetricCache.counts()"), "[('PROD.apps.xxx.yyy.zzz', 3)]\n")
        XCTAssertEqual(h.output("MetricCache.size"), "3\n")
    }

    func testNameError() {
        let h = InterpreterHarness()
        let (out, err, outcome) = h.run("nosuch.counts()")
        XCTAssertEqual(outcome, .failed)
        XCTAssertEqual(out, "")
        XCTAssertEqual(err, """
            Traceback (most recent call last):
              File "<console>", line 1, in <module>
            NameError: name 'nosuch' is not defined

            """)
    }

    func testKeyErrorAndReadingNeverCreatesAMetric() {
        let h = InterpreterHarness()
        let (_, err, outcome) = h.run("print MetricCache['missing.metric']")
        XCTAssertEqual(outcome, .failed)
        XCTAssertTrue(err.hasSuffix("KeyError: 'missing.metric'\n"), err)
        _ = h.run("MetricCache.get_datapoints('missing.metric')")
        _ = h.run("carbon.cache.MetricCache()['missing.metric']")
        _ = h.run("cache.names('missing.metric')")
        XCTAssertEqual(h.cache.queues, 0)
        XCTAssertEqual(h.cache.size, 0)
        XCTAssertFalse(h.cache.metricNames().contains("missing.metric"))
    }

    func testSyntaxErrorPointsACaretAtTheOffendingToken() {
        let h = InterpreterHarness()
        let (_, err, outcome) = h.run("MetricCache.counts() )")
        XCTAssertEqual(outcome, .failed)
        XCTAssertEqual(err, """
              File "<console>", line 1
                MetricCache.counts() )
                                     ^
            SyntaxError: invalid syntax

            """)
        let unterminated = h.run("print MetricCache['a.b")
        XCTAssertTrue(unterminated.err.contains("                  ^\n"), unterminated.err)
        XCTAssertTrue(unterminated.err.hasSuffix("SyntaxError: unterminated string literal (detected at line 1)\n"), unterminated.err)
        XCTAssertEqual(h.run("import os").err.components(separatedBy: "\n").dropLast().last,
                       "ModuleNotFoundError: No module named 'os'")
        XCTAssertTrue(h.run("def f(): pass").err.hasSuffix("SyntaxError: invalid syntax\n"))
    }

    func testVariablesPersistAndExpressionsEchoTheirRepr() {
        let h = InterpreterHarness()
        XCTAssertEqual(h.output("x = 2 ** 10"), "")
        XCTAssertEqual(h.output("x // 3, x % 3, x / 4"), "(341, 1, 256.0)\n")
        XCTAssertEqual(h.output("'a' + \"b\""), "'ab'\n")
        XCTAssertEqual(h.output("None"), "")
        XCTAssertEqual(h.output("{'k': [1, 2.5, None, True]}"), "{'k': [1, 2.5, None, True]}\n")
        XCTAssertEqual(h.output("print 'x', 1; print"), "x 1\n\n")
        XCTAssertTrue(h.output("dir()").contains("'carbon'"))
    }

    func testConfigHidesSecrets() {
        let h = InterpreterHarness()
        XCTAssertEqual(h.output("config['AMQP_PASSWORD']"), "'********'\n")
        XCTAssertEqual(h.output("carbon.conf.settings.MAX_CACHE_SIZE"), "'inf'\n")
        XCTAssertFalse(h.output("config").contains("hunter2"))
    }

    func testCacheHelpers() {
        let h = InterpreterHarness()
        for i in 0..<3 { h.cache.store("a.b\(i).c", CachedPoint(timestamp: Double(i), value: 1)) }
        h.cache.store("a.b2.c", CachedPoint(timestamp: 10, value: 1))
        XCTAssertEqual(h.output("cache.largest(1)"), "[('a.b2.c', 2)]\n")
        XCTAssertEqual(h.output("cache.names('a.b[01].*')"), "['a.b0.c', 'a.b1.c']\n")
        XCTAssertEqual(h.output("cache.names('a.{b0,b2}.c')"), "['a.b0.c', 'a.b2.c']\n")
    }

    func testWatchPrintsNewPointsUntilInterrupted() {
        let h = InterpreterHarness()
        let session = ShellSession(context: h.context, mode: .script)
        let io = RecordingIO()
        io.interrupts = [false, true]
        h.cache.store("w.old", CachedPoint(timestamp: 1, value: 1))
        // A point arrives while watch polls: simulated by storing from the interrupt check.
        final class Storing: ShellIO {
            let inner: RecordingIO
            let cache: MetricCache
            var calls = 0
            init(_ inner: RecordingIO, _ cache: MetricCache) { self.inner = inner; self.cache = cache }
            func write(_ text: String) { inner.write(text) }
            func writeError(_ text: String) { inner.writeError(text) }
            func waitForInterrupt(_ seconds: Double) -> Bool {
                calls += 1
                if calls == 1 { cache.store("w.new", CachedPoint(timestamp: 1_357_861_700, value: 42)) }
                return calls > 2
            }
        }
        let storing = Storing(io, h.cache)
        session.runCommand("watch('w.*')", storing)
        XCTAssertEqual(io.output, "watching 'w.*' (Ctrl-C to stop)\nw.new 42.0 1357861700\n")
        XCTAssertEqual(session.exitStatus, 0)
    }

    func testScriptModeExitStatus() {
        let h = InterpreterHarness()
        let io = RecordingIO()
        let session = ShellSession(context: h.context, mode: .script)
        session.receive(Array("1 + 1\nundefined_name\n".utf8), io)
        session.receive(Array("2 + 2".utf8), io)
        session.endOfInput(io)
        XCTAssertEqual(io.output, "2\n4\n")
        XCTAssertTrue(io.errors.contains("NameError"))
        XCTAssertEqual(session.exitStatus, 1)
        XCTAssertTrue(session.finished)
    }

    func testStatsdCommandsUseTheInspection() {
        let h = InterpreterHarness(statsd: FakeStatsd())
        XCTAssertEqual(h.output("statsd.counters('api.*')"), "{'api.hits': 3.0}\n")
        XCTAssertEqual(h.output("statsd.timers()"), "{'db.query': [1.5, 2.0]}\n")
        XCTAssertEqual(h.output("statsd.gauges('temp')"), "{'temp': 21.5}\n")
        XCTAssertEqual(h.output("statsd.sets()"), "{'users': ['ann', 'bob']}\n")
        XCTAssertEqual(h.output("flush()"), "flushed 4 metrics\n")
        let without = InterpreterHarness()
        XCTAssertTrue(without.run("statsd.counters()").err.hasSuffix("RuntimeError: statsd is not running in this process\n"))
    }

    func testQuotasShowEveryRuleWithItsRefusalsAndLargestNamespaces() throws {
        let quotas = QuotaLedger(rules: try QuotaRules.parse(text: "[*]\nmetrics = 2\n", fileName: "quotas.conf"))
        for name in ["web.a", "web.b", "web.c", "db.a"] { _ = quotas.admitNewSeries(name, now: 0) }
        let h = InterpreterHarness(quotas: quotas)
        XCTAssertEqual(h.output("quotas()"), """
            [{'rule': '*', 'metrics': 2, 'throughput': None, 'newSeriesPerMinute': None, 'droppingPolicy': 'new', \
            'refusedPoints': 0, 'refusedCreates': 1, 'series': 3, 'namespaces': 2, 'largest': [('web', 2), ('db', 1)]}]

            """)
        XCTAssertEqual(h.output("quotas()[0]['refusedCreates']"), "1\n")
        XCTAssertTrue(InterpreterHarness().run("quotas()").err.hasSuffix("RuntimeError: no quotas in this process\n"))
    }
}

private struct FakeStatsd: StatsdInspection {
    func pendingCounters(matching pattern: MetricGlob) -> [(name: String, value: Double)] {
        [("api.hits", 3), ("other", 1)].filter { pattern.matches($0.0) }
    }
    func pendingTimers(matching pattern: MetricGlob) -> [(name: String, values: [Double])] { [("db.query", [1.5, 2])] }
    func pendingGauges(matching pattern: MetricGlob) -> [(name: String, value: Double)] {
        [("temp", 21.5), ("other", 0)].filter { pattern.matches($0.0) }
    }
    func pendingSets(matching pattern: MetricGlob) -> [(name: String, members: [String])] { [("users", ["bob", "ann"])] }
    func flush() throws -> String { "flushed 4 metrics" }
}

final class InterpreterLimitTests: XCTestCase {
    func testHostileInputFailsWithPythonErrorsInsteadOfCrashing() {
        let h = InterpreterHarness()
        XCTAssertEqual(h.output("1" + String(repeating: "+1", count: 150)), "151\n")
        XCTAssertTrue(h.run("1" + String(repeating: "+1", count: 2000)).err.hasSuffix("SyntaxError: expression too deeply nested for the manhole\n"))
        XCTAssertTrue(h.run("x" + String(repeating: ".y", count: 2000)).err.contains("SyntaxError"))
        XCTAssertTrue(h.run(String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)).err
            .hasSuffix("SyntaxError: too many nested parentheses\n"))
        XCTAssertTrue(h.run(String(repeating: "-", count: 1000) + "1").err.contains("SyntaxError"))
        XCTAssertTrue(h.run(String(repeating: "1+", count: 3000) + "1").err.contains("line too long"))
        XCTAssertTrue(h.run("'x' * 10 ** 12").err.hasSuffix("MemoryError: the manhole refuses strings over 16777216 bytes\n"))
        XCTAssertTrue(h.run("int(1e300)").err.contains("OverflowError"))
        XCTAssertTrue(h.run("round(float('inf'))").err.contains("OverflowError"))
        XCTAssertTrue(h.run("cache.largest(1e300)").err.isEmpty)
        XCTAssertTrue(h.run("(-9223372036854775807 - 1) // -1").err.contains("OverflowError"))
        XCTAssertEqual(h.output("-7 // 2, -7 % 2, 7 // -2, 7 % -2"), "(-4, 1, -4, -1)\n")
        XCTAssertTrue(h.run("1 / 0").err.contains("ZeroDivisionError"))
    }
}
