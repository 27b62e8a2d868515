import XCTest

/// `stoker whisper update` must store what whisper-update stores, and `stoker whisper fetch`
/// must print what whisper-fetch prints.
final class WhisperUpdateFetchCLITests: XCTestCase {
    /// Both tools fetch the same explicit range, which ends well before now, so the second or
    /// two between the runs cannot change the answer.
    private func assertSameFetch(_ file: String, from: Int, until: Int, in box: Sandbox,
                                 line: UInt = #line) throws -> String {
        let range = ["--from", String(from), "--until", String(until)]
        var text = ""
        for extra in [[], ["--json"]] {
            let expected = try CLI.reference("whisper-fetch", range + extra + [file], in: box.url)
            let actual = try CLI.stoker(["whisper", "fetch", file] + range + extra, in: box.url)
            assertSuccess(expected, "whisper-fetch \(extra)", line: line)
            assertSuccess(actual, "stoker whisper fetch \(extra)", line: line)
            XCTAssertEqual(actual.stdout, expected.stdout, "fetch \(from)...\(until) \(extra)", line: line)
            if extra.isEmpty { text = actual.stdout }
        }
        return text
    }

    func testUpdateThenFetchMatchesWhisperTools() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        assertSuccess(try CLI.reference("whisper-create", ["py.wsp", "60:1440", "5m:7d", "--aggregationMethod", "sum"],
                                        in: box.url), "whisper-create")
        try box.copy("py.wsp", to: "st.wsp")
        let t = alignedPast(7200, step: 300)   // two hours ago, on a 5-minute boundary
        let old = alignedPast(3 * 86400, step: 300)  // only the 5-minute archive covers it
        let points = [
            "\(t):1.5", "\(t + 60):2", "\(t + 120):-3.25", "\(t + 125):4", "\(t + 600):1e3",
            "\(t + 660):0.1", "\(old):7", "\(old + 300):8.5",
        ]
        assertSuccess(try CLI.reference("whisper-update", ["py.wsp"] + points, in: box.url), "whisper-update")
        let update = try CLI.stoker(["whisper", "update", "st.wsp"] + points, in: box.url)
        XCTAssertEqual(assertSuccess(update, "stoker update"), "")
        XCTAssertEqual(try box.bytes("st.wsp"), try box.bytes("py.wsp"), "the same points must give the same bytes")

        let recent = try assertSameFetch("st.wsp", from: t - 300, until: t + 900, in: box)
        let lines = recent.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 20)
        XCTAssertEqual(lines[4], "\(t)\t1.500000")
        XCTAssertEqual(lines[5], "\(t + 60)\t2.000000")
        XCTAssertEqual(lines[6], "\(t + 120)\t4.000000", "the later point of a minute wins")
        XCTAssertEqual(lines[7], "\(t + 180)\tNone")
        XCTAssertEqual(lines[14], "\(t + 600)\t1000.000000")
        XCTAssertEqual(lines[15], "\(t + 660)\t0.100000")

        let older = try assertSameFetch("st.wsp", from: old - 900, until: old + 900, in: box)
        XCTAssertTrue(older.contains("\(old)\t7.000000\n\(old + 300)\t8.500000\n"), older)
        XCTAssertTrue(older.hasPrefix("\(old - 600)\tNone\n"), older)
        // The 5-minute archive got the sum of the minutes propagated from archive 0.
        _ = try assertSameFetch("st.wsp", from: t - 86400 - 600, until: t + 900, in: box)
        let json = try CLI.stoker(["whisper", "fetch", "st.wsp", "--from", String(old - 300), "--until",
                                   String(old + 300), "--json"], in: box.url)
        XCTAssertEqual(assertSuccess(json, "json"), """
            {
                "start" : \(old),
                "end" : \(old + 600),
                "step" : 300,
                "values" : [7.0, 8.5]
              }

            """)
    }

    func testSinglePointAndNowLikeWhisperUpdate() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "st.wsp", "10s:1h", "1m:1d"], in: box.url), "create")
        try box.copy("st.wsp", to: "py.wsp")
        let t = alignedPast(600)
        assertSuccess(try CLI.stoker(["whisper", "update", "st.wsp", "\(t):42.25"], in: box.url), "stoker update")
        assertSuccess(try CLI.reference("whisper-update", ["py.wsp", "\(t):42.25"], in: box.url), "whisper-update")
        XCTAssertEqual(try box.bytes("st.wsp"), try box.bytes("py.wsp"))
        let text = try assertSameFetch("st.wsp", from: t - 30, until: t + 20, in: box)
        XCTAssertEqual(text, "\(t - 20)\tNone\n\(t - 10)\tNone\n\(t)\t42.250000\n\(t + 10)\tNone\n\(t + 20)\tNone\n")

        // A single point outside [now - maxRetention, now] is refused, as whisper.update() does.
        let future = try CLI.stoker(["whisper", "update", "st.wsp", "\(t + 7200):1"], in: box.url)
        let reference = try CLI.reference("whisper-update", ["py.wsp", "\(t + 7200):1"], in: box.url)
        assertCleanFailure(future, "future single point")
        XCTAssertEqual(future.stderr, "[ERROR] Timestamp not covered by any archives in this database.\n")
        XCTAssertEqual(future.stderr, reference.stderr)

        // N means now: the newest slot of the 10 s archive holds the value.
        assertSuccess(try CLI.stoker(["whisper", "update", "st.wsp", "N:5"], in: box.url), "N:5")
        let recent = try CLI.stoker(["whisper", "fetch", "st.wsp", "--from", String(t + 300), "--json"], in: box.url)
        XCTAssertTrue(assertSuccess(recent, "fetch recent").contains("5.0"), recent.stdout)
    }

    func testFetchEdgeCases() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "f.wsp", "60:1440", "5m:7d"], in: box.url), "create")
        let t = alignedPast(3 * 86400, step: 300)
        assertSuccess(try CLI.stoker(["whisper", "update", "f.wsp", "\(t):3", "\(t - 300):2"], in: box.url), "update")

        // An archive never written (base 0): all None, same as whisper-fetch.
        _ = try assertSameFetch("f.wsp", from: alignedPast(7200), until: alignedPast(3600), in: box)

        // A range entirely in the future: no data, exit 1.
        let now = alignedPast(0, step: 1)
        let range = ["--from", String(now + 1000), "--until", String(now + 2000)]
        let expected = try CLI.reference("whisper-fetch", range + ["f.wsp"], in: box.url)
        let actual = try CLI.stoker(["whisper", "fetch", "f.wsp"] + range, in: box.url)
        assertCleanFailure(actual, "future range")
        XCTAssertEqual(actual.stderr, "No data in selected timerange\n")
        XCTAssertEqual(actual.stderr, expected.stderr)
        XCTAssertEqual(actual.stdout, "")

        // from > until.
        let inverted = try CLI.stoker(["whisper", "fetch", "f.wsp", "--from", "200", "--until", "100"], in: box.url)
        assertCleanFailure(inverted, "inverted range")
        XCTAssertEqual(inverted.stderr, "[ERROR] Invalid time interval: from time '200' is after until time '100'\n")

        // --archive names the archive by its step, in seconds or whisper units.
        let recent = ["--from", String(t - 600), "--until", String(t + 300)]
        let forced = try CLI.stoker(["whisper", "fetch", "f.wsp", "--archive", "300"] + recent + ["--json"], in: box.url)
        XCTAssertEqual(assertSuccess(forced, "--archive 300"), """
            {
                "start" : \(t - 300),
                "end" : \(t + 600),
                "step" : 300,
                "values" : [2.0, 3.0, null]
              }

            """)
        let units = try CLI.stoker(["whisper", "fetch", "f.wsp", "--archive", "5m"] + recent + ["--json"], in: box.url)
        XCTAssertEqual(units.stdout, forced.stdout)
        let unknown = try CLI.stoker(["whisper", "fetch", "f.wsp", "--archive", "120"] + recent, in: box.url)
        assertCleanFailure(unknown, "--archive 120")
        XCTAssertTrue(unknown.stderr.hasPrefix("[ERROR] Invalid granularity"), unknown.stderr)
    }

    func testSetAggregationMethodMatchesWhisperScript() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "st.wsp", "60:1440", "5m:7d"], in: box.url), "create")
        try box.copy("st.wsp", to: "py.wsp")
        for arguments in [["max"], ["avg_zero", "0.1"], ["last", "1"]] {
            let actual = try CLI.stoker(["whisper", "set-aggregation-method", "st.wsp"] + arguments, in: box.url)
            let expected = try CLI.reference("whisper-set-aggregation-method", ["py.wsp"] + arguments, in: box.url)
            assertSuccess(actual, "\(arguments)")
            assertSuccess(expected, "\(arguments)")
            XCTAssertEqual(actual.stdout, expected.stdout.replacingOccurrences(of: "py.wsp", with: "st.wsp"))
            XCTAssertEqual(try box.bytes("st.wsp"), try box.bytes("py.wsp"), "\(arguments)")
        }
        let info = try CLI.stoker(["whisper", "info", "st.wsp", "aggregationMethod"], in: box.url)
        XCTAssertEqual(info.stdout, "last\n")
        for bad in [["median"], ["sum", "2"], ["sum", "abc"]] {
            let result = try CLI.stoker(["whisper", "set-aggregation-method", "st.wsp"] + bad, in: box.url)
            assertCleanFailure(result, "\(bad)")
            XCTAssertTrue(result.stderr.hasPrefix("[ERROR] "), result.stderr)
        }
        XCTAssertEqual(try box.bytes("st.wsp"), try box.bytes("py.wsp"), "refused changes must not touch the file")
    }
}
