import XCTest

/// Missing and damaged files end in `[ERROR] ...` naming the file and exit status 1, never a
/// crash trace.
final class WhisperErrorCLITests: XCTestCase {
    private func readers(_ file: String) -> [[String]] {
        [
            ["whisper", "info", file],
            ["whisper", "info", file, "--json"],
            ["whisper", "fetch", file],
            ["whisper", "update", file, "N:1"],
            ["whisper", "set-aggregation-method", file, "sum"],
        ]
    }

    func testMissingFile() throws {
        let box = try Sandbox()
        for arguments in readers("missing.wsp") {
            let result = try CLI.stoker(arguments, in: box.url)
            assertCleanFailure(result, "\(arguments)")
            XCTAssertEqual(result.stderr, "[ERROR] missing.wsp: open failed: No such file or directory (errno 2)\n",
                           "\(arguments)")
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertFalse(box.exists("missing.wsp"), "no command may create the missing file")
    }

    func testCorruptAndTruncatedFiles() throws {
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "good.wsp", "60:1440", "5m:7d"], in: box.url), "create")
        let good = try box.bytes("good.wsp")
        var badType = good
        badType[3] = 99  // aggregation type 99
        var badXff = good
        badXff.replaceSubrange(8..<12, with: [0x40, 0x00, 0x00, 0x00])  // xFilesFactor 2.0
        let damaged: [(name: String, bytes: Data)] = [
            ("empty.wsp", Data()),
            ("short-header.wsp", good.prefix(10)),
            ("short-archive-table.wsp", good.prefix(20)),
            ("truncated-data.wsp", good.prefix(1000)),
            ("bad-type.wsp", badType),
            ("bad-xff.wsp", badXff),
            ("text.wsp", Data(String(repeating: "not a whisper file\n", count: 10).utf8)),
        ]
        for file in damaged {
            try box.write(file.name, file.bytes)
            for arguments in readers(file.name) {
                let result = try CLI.stoker(arguments, in: box.url)
                assertCleanFailure(result, "\(arguments)")
                XCTAssertTrue(result.stderr.hasPrefix("[ERROR] \(file.name): corrupt whisper file: "),
                              "\(arguments): \(result.stderr)")
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "one line: \(result.stderr)")
                XCTAssertEqual(result.stdout, "")
            }
            XCTAssertEqual(try box.bytes(file.name), file.bytes, "\(file.name) must be left as it was")
        }
    }

    func testBadPointsAndArguments() throws {
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "f.wsp", "60:10"], in: box.url), "create")
        let before = try box.bytes("f.wsp")
        let cases: [(point: String, message: String)] = [
            ("12", "[ERROR] Invalid point '12': expected timestamp:value\n"),
            ("1:2:3", "[ERROR] Invalid point '1:2:3': expected timestamp:value\n"),
            ("1.5:2", "[ERROR] Invalid timestamp '1.5' in point '1.5:2'\n"),
            ("N:x", "[ERROR] Invalid value 'x' in point 'N:x'\n"),
        ]
        for entry in cases {
            let result = try CLI.stoker(["whisper", "update", "f.wsp", "N:1", entry.point], in: box.url)
            assertCleanFailure(result, entry.point)
            XCTAssertEqual(result.stderr, entry.message)
        }
        XCTAssertEqual(try box.bytes("f.wsp"), before, "a refused update must not write anything")
        // Usage errors are ArgumentParser's: a message, not a crash.
        let usage = try CLI.stoker(["whisper", "fetch"], in: box.url)
        XCTAssertNotEqual(usage.status, 0)
        XCTAssertTrue(usage.stderr.contains("Usage"), usage.stderr)
    }
}
