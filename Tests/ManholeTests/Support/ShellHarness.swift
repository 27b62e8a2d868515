import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
@testable import Manhole
@testable import ManholeLanguage

/// A ShellIO that records what a session writes.
final class RecordingIO: ShellIO {
    var output = ""
    var errors = ""
    /// Answers for waitForInterrupt, in order; then "not interrupted".
    var interrupts: [Bool] = []

    func write(_ text: String) { output += text }
    func writeError(_ text: String) { errors += text }
    func waitForInterrupt(_ seconds: Double) -> Bool {
        interrupts.isEmpty ? false : interrupts.removeFirst()
    }
}

/// An interpreter over a bare MetricCache, with a writeCachedDataPoints that pops the cache.
struct InterpreterHarness {
    let cache = MetricCache(shardCount: 4)
    let interpreter: Interpreter
    let context: ManholeContext
    var written: [String: [CachedPoint]] { box.written }
    private let box = Box()

    final class Box: @unchecked Sendable {
        var written: [String: [CachedPoint]] = [:]
    }

    init(statsd: (any StatsdInspection)? = nil, quotas: QuotaLedger? = nil) {
        let cache = self.cache
        let box = self.box
        context = ManholeContext(
            cache: cache,
            writeCachedDataPoints: {
                var count = 0
                for metric in cache.metricNames() {
                    let points = cache.pop(metric) ?? []
                    box.written[metric, default: []] += points
                    count += points.count
                }
                return count
            },
            settings: { [("MAX_CACHE_SIZE", "inf"), ("AMQP_PASSWORD", "hunter2")] },
            whisperPath: { "/nonexistent/" + $0.replacingOccurrences(of: ".", with: "/") + ".wsp" },
            statsd: statsd,
            quotas: quotas,
            clock: { 1_357_861_700 })
        interpreter = Interpreter(context: context)
    }

    /// Runs one line; returns (stdout, stderr, outcome).
    func run(_ line: String) -> (out: String, err: String, outcome: Interpreter.Outcome) {
        var out = "", err = ""
        let outcome = interpreter.run(line, write: { out += $0 }, writeError: { err += $0 })
        return (out, err, outcome)
    }

    /// The stdout of a line that must succeed.
    func output(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) -> String {
        let (out, err, outcome) = run(line)
        if outcome != .ok { XCTFailLine("\(line) failed: \(err)", file: file, line: lineNumber) }
        return out
    }
}

import XCTest

func XCTFailLine(_ message: String, file: StaticString, line: UInt) {
    XCTFail(message, file: file, line: line)
}
