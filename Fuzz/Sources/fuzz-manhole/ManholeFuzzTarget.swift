import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import FuzzHarness
@testable import Manhole
@testable import ManholeLanguage

/// The manhole language: the input as what an operator sends over SSH, run by a ShellSession
/// both as a script (`ssh host < file`: each line through the tokenizer, parser and
/// interpreter) and as keystrokes on a terminal (key decoder, line editor, completion, then
/// the same interpreter), against a context with an empty cache. Commands that would wait
/// (`watch`, `writer.rates`) see an immediate Ctrl-C.
enum ManholeFuzzTarget {
    final class DiscardingIO: ShellIO {
        var written = 0
        func write(_ text: String) { written += text.utf8.count }
        func writeError(_ text: String) { written += text.utf8.count }
        func waitForInterrupt(_ seconds: Double) -> Bool { true }
    }

    static let context = ManholeContext(
        cache: MetricCache(shardCount: 4),
        writeCachedDataPoints: { 0 },
        settings: { [("MAX_CACHE_SIZE", "inf"), ("LINE_RECEIVER_PORT", "2003"), ("AMQP_PASSWORD", "secret")] },
        whisperPath: { metric in
            try MetricPath.filePath(for: metric, dataDirectory: "/nonexistent/stoker-fuzz", hashTaggedNames: true)
        },
        clock: { 1_700_000_000 })

    static func run(_ input: FuzzInput) {
        let bytes = Array(input.bytes)
        for mode in [ShellSession.Mode.script, .terminal] {
            let io = DiscardingIO()
            let session = ShellSession(context: context, mode: mode)
            session.start(io)
            session.receive(bytes, io)
            session.endOfInput(io)
        }
        fuzzCheck(context.cache.size == 0, "the manhole stored \(context.cache.size) points in the cache")
    }
}

@main
enum ManholeFuzzMain {
    static func main() { FuzzDriver.run(ManholeFuzzTarget.run) }
}
