import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import XCTest
@testable import Manhole
@testable import ManholeLanguage

final class LineEditorTests: XCTestCase {
    private func keys(_ bytes: String) -> [TerminalKey] {
        var decoder = KeyDecoder()
        return decoder.decode(Array(bytes.utf8))
    }

    func testTypingEchoesAndEnterCompletesTheLine() {
        var editor = LineEditor()
        let (output, events) = editor.handle(keys("1 + 1\r"))
        XCTAssertEqual(output, "1 + 1\r\n")
        XCTAssertEqual(events, [.line("1 + 1")])
        XCTAssertEqual(editor.text, "")
    }

    func testBackspaceAndCursorMovement() {
        var editor = LineEditor()
        _ = editor.handle(keys("abd\u{7f}c"))
        XCTAssertEqual(editor.text, "abc")
        // Left twice, insert X: redraws the line with the cursor back in place.
        let (output, _) = editor.handle(keys("\u{1b}[D\u{1b}[DX"))
        XCTAssertEqual(editor.text, "aXbc")
        XCTAssertEqual(editor.cursor, 2)
        XCTAssertTrue(output.hasSuffix("\r>>> aXbc\u{1b}[K\u{1b}[2D"), output.debugDescription)
        _ = editor.handle(keys("\u{01}Y\u{05}Z"))  // Ctrl-A, Y, Ctrl-E, Z
        XCTAssertEqual(editor.text, "YaXbcZ")
        _ = editor.handle(keys("\u{1b}[H\u{1b}[3~"))  // Home, Delete
        XCTAssertEqual(editor.text, "aXbcZ")
    }

    func testKillsAndDeleteWord() {
        var editor = LineEditor()
        _ = editor.handle(keys("print MetricCache.size\u{17}"))
        XCTAssertEqual(editor.text, "print ")
        _ = editor.handle(keys("abc\u{02}\u{02}\u{0b}"))  // Ctrl-B twice, Ctrl-K
        XCTAssertEqual(editor.text, "print a")
        _ = editor.handle(keys("\u{15}"))
        XCTAssertEqual(editor.text, "")
    }

    func testHistoryUpAndDownKeepsTheDraft() {
        var editor = LineEditor()
        _ = editor.handle(keys("first\rsecond\rsecond\rdraft"))
        XCTAssertEqual(editor.history, ["first", "second"], "repeated lines are remembered once")
        _ = editor.handle(keys("\u{1b}[A"))
        XCTAssertEqual(editor.text, "second")
        _ = editor.handle(keys("\u{1b}OA"))  // application-mode arrow
        XCTAssertEqual(editor.text, "first")
        _ = editor.handle(keys("\u{1b}[A"))
        XCTAssertEqual(editor.text, "first", "stays at the oldest line")
        _ = editor.handle(keys("\u{1b}[B\u{1b}[B"))
        XCTAssertEqual(editor.text, "draft")
    }

    func testCtrlCCancelsTheLineAndCtrlDEndsOnlyAnEmptyLine() {
        var editor = LineEditor()
        let (cancelled, events) = editor.handle(keys("half typed\u{03}"))
        XCTAssertEqual(events, [.interrupt])
        XCTAssertTrue(cancelled.hasSuffix("^C\r\n"))
        XCTAssertEqual(editor.text, "")
        XCTAssertEqual(editor.handle(keys("ab\u{02}\u{04}")).events, [], "Ctrl-D deletes under the cursor")
        XCTAssertEqual(editor.text, "a")
        _ = editor.handle(keys("\u{15}"))
        XCTAssertEqual(editor.handle(keys("\u{04}")).events, [.endOfInput])
    }

    func testEscapeSequencesAndUTF8SplitAcrossPackets() {
        var decoder = KeyDecoder()
        XCTAssertEqual(decoder.decode([0x1b]), [])
        XCTAssertEqual(decoder.decode([0x5b]), [])
        XCTAssertEqual(decoder.decode([0x44]), [.left])
        let euro = Array("€".utf8)
        XCTAssertEqual(decoder.decode(euro[0..<1]), [])
        XCTAssertEqual(decoder.decode(euro[1...]), [.text("€")])
        XCTAssertEqual(decoder.decode(Array("\r".utf8)), [.enter])
        XCTAssertEqual(decoder.decode(Array("\n".utf8)), [], "CR LF is one Enter, even split")
        XCTAssertEqual(decoder.decode(Array("\n".utf8)), [.enter])
    }

    func testTabCompletesNamesAttributesAndMetricPaths() {
        let cache = MetricCache(shardCount: 2)
        cache.store("PROD.apps.xxx.yyy.zzz", CachedPoint(timestamp: 1, value: 1))
        cache.store("PROD.apps.other", CachedPoint(timestamp: 1, value: 1))
        cache.store("PROD.db.q", CachedPoint(timestamp: 1, value: 1))
        let context = ManholeContext(cache: cache, writeCachedDataPoints: { 0 }, whisperPath: { $0 })
        let completer = Completer(interpreter: Interpreter(context: context), metricNames: { context.cache.metricNames() })
        var editor = LineEditor()
        _ = editor.handle(keys("MetricCa\t"), completer: completer.complete)
        XCTAssertEqual(editor.text, "MetricCache")
        _ = editor.handle(keys(".cou\t"), completer: completer.complete)
        XCTAssertEqual(editor.text, "MetricCache.counts")
        _ = editor.handle(keys("\u{15}carbon.ca\t"), completer: completer.complete)
        XCTAssertEqual(editor.text, "carbon.cache")
        _ = editor.handle(keys("\u{15}MetricCache['PROD.a\t"), completer: completer.complete)
        XCTAssertEqual(editor.text, "MetricCache['PROD.apps.")
        let (listing, _) = editor.handle(keys("\t"), completer: completer.complete)
        XCTAssertTrue(listing.contains("PROD.apps.other  PROD.apps.xxx."), listing.debugDescription)
        _ = editor.handle(keys("x\t"), completer: completer.complete)
        XCTAssertEqual(editor.text, "MetricCache['PROD.apps.xxx.")
    }

    func testTerminalSessionPromptsEchoesAndUsesCRLF() {
        let cache = MetricCache(shardCount: 2)
        cache.store("a.b", CachedPoint(timestamp: 5, value: 6))
        let context = ManholeContext(cache: cache, writeCachedDataPoints: { 0 }, whisperPath: { $0 })
        let session = ShellSession(context: context, mode: .terminal)
        let io = RecordingIO()
        session.start(io)
        XCTAssertTrue(io.output.hasSuffix("\r\n>>> "))
        io.output = ""
        session.receive(Array("print MetricCache['a.b']\r".utf8), io)
        XCTAssertEqual(io.output, "print MetricCache['a.b']\r\n[(5.0, 6.0)]\r\n>>> ")
        io.output = ""
        session.receive(Array("nope\r".utf8), io)
        XCTAssertEqual(io.errors, "Traceback (most recent call last):\r\n  File \"<console>\", line 1, in <module>\r\n"
            + "NameError: name 'nope' is not defined\r\n")
        session.receive([0x04], io)
        XCTAssertTrue(session.finished)
        XCTAssertEqual(session.exitStatus, 0)
    }

    func testCRLFTranslation() {
        XCTAssertEqual(ShellSession.crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n")
    }
}
