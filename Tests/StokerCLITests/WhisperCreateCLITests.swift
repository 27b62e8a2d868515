import XCTest

/// `stoker whisper create` must write the bytes /usr/bin/whisper-create writes and say so
/// the same way.
final class WhisperCreateCLITests: XCTestCase {
    func testCreateIsByteIdenticalToWhisperCreate() throws {
        try CLI.requireWhisperModule()
        let python = try Sandbox(), stoker = try Sandbox()
        for (index, config) in WhisperConfig.all.enumerated() {
            let file = "f\(index).wsp"
            let expected = try CLI.reference("whisper-create", config.referenceArguments(file), in: python.url)
            let actual = try CLI.stoker(config.stokerArguments(file), in: stoker.url)
            assertSuccess(expected, "whisper-create \(config)")
            assertSuccess(actual, "stoker create \(config)")
            XCTAssertEqual(actual.stdout, expected.stdout, "\(config)")
            XCTAssertEqual(try stoker.bytes(file), try python.bytes(file), "bytes of \(config)")
        }
    }

    func testAllocationVariantsAndPythonOptionSpellings() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        let reference = ["ref.wsp", "60:1440", "5m:7d", "--xFilesFactor", "0.25", "--aggregationMethod", "absmax"]
        assertSuccess(try CLI.reference("whisper-create", reference, in: box.url), "whisper-create")
        let variants: [[String]] = [
            ["--xFilesFactor", "0.25", "--aggregationMethod", "absmax"],
            ["--xff", "0.25", "--aggregation-method", "absmax", "--sparse"],
            ["--xff", "0.25", "--aggregation-method", "absmax", "--fallocate"],
        ]
        for (index, options) in variants.enumerated() {
            let file = "v\(index).wsp"
            let result = try CLI.stoker(["whisper", "create", file, "60:1440", "5m:7d"] + options, in: box.url)
            XCTAssertEqual(assertSuccess(result, "\(options)"), "Created: \(file) (41512 bytes)\n")
            XCTAssertEqual(try box.bytes(file), try box.bytes("ref.wsp"), "\(options)")
        }
        let both = try CLI.stoker(["whisper", "create", "x.wsp", "60:10", "--sparse", "--fallocate"], in: box.url)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertFalse(box.exists("x.wsp"))
    }

    /// Units by any prefix, durations as point counts, comma-separated lists.
    func testRetentionSyntax() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        let cases: [(stoker: [String], python: [String])] = [
            (["1min:1d"], ["60:1440"]),
            (["1m:1d"], ["60:1440"]),
            (["10s:6h,1m:7d"], ["10:2160", "60:10080"]),
            (["10sec:6hours", "1h:2w"], ["10s:6h", "3600:336"]),
            (["5m:1y", "1minute:1day,1hour:2years"], ["60:1440", "300:105120", "3600:17520"]),
            (["  60:1440  "], ["60:1440"]),
        ]
        for (index, entry) in cases.enumerated() {
            let ours = "s\(index).wsp", theirs = "p\(index).wsp"
            assertSuccess(try CLI.stoker(["whisper", "create", ours] + entry.stoker, in: box.url), "\(entry.stoker)")
            assertSuccess(try CLI.reference("whisper-create", [theirs] + entry.python, in: box.url), "\(entry.python)")
            XCTAssertEqual(try box.bytes(ours), try box.bytes(theirs), "\(entry.stoker) vs \(entry.python)")
        }
    }

    func testOverwriteAndExistingFile() throws {
        try CLI.requireWhisperModule()
        let python = try Sandbox(), stoker = try Sandbox()
        for box in [python, stoker] {
            try box.write("f.wsp", Data("not whisper".utf8))
        }
        let expectedExists = try CLI.reference("whisper-create", ["f.wsp", "60:10"], in: python.url)
        let actualExists = try CLI.stoker(["whisper", "create", "f.wsp", "60:10"], in: stoker.url)
        assertCleanFailure(actualExists, "create over an existing file")
        XCTAssertEqual(actualExists.stderr, "[ERROR] File f.wsp already exists!\n")
        XCTAssertEqual(actualExists.stderr, expectedExists.stderr)
        XCTAssertEqual(try stoker.bytes("f.wsp"), Data("not whisper".utf8), "an existing file must be left alone")

        let expected = try CLI.reference("whisper-create", ["f.wsp", "60:10", "--overwrite"], in: python.url)
        let actual = try CLI.stoker(["whisper", "create", "f.wsp", "60:10", "--overwrite"], in: stoker.url)
        XCTAssertEqual(assertSuccess(actual, "overwrite"), "Overwriting existing file: f.wsp\nCreated: f.wsp (148 bytes)\n")
        XCTAssertEqual(actual.stdout, expected.stdout)
        XCTAssertEqual(try stoker.bytes("f.wsp"), try python.bytes("f.wsp"))
    }

    func testBadRetentionsExitOneWithoutCreatingAFile() throws {
        let box = try Sandbox()
        let cases: [(arguments: [String], message: String)] = [
            (["60:14x0"], "[ERROR] Invalid retention specification '14x0'\n"),
            (["abc"], "[ERROR] Invalid retention definition 'abc'\n"),
            (["1q:5"], "[ERROR] Invalid unit 'q'\n"),
            (["x1:5"], "[ERROR] Invalid precision specification 'x1'\n"),
            (["60:1440,"], "[ERROR] Invalid retention definition ''\n"),
            (["60:1440", "--aggregation-method", "median"], "[ERROR] Unrecognized aggregation method: median\n"),
        ]
        for entry in cases {
            let result = try CLI.stoker(["whisper", "create", "bad.wsp"] + entry.arguments, in: box.url)
            assertCleanFailure(result, "\(entry.arguments)")
            XCTAssertEqual(result.stderr, entry.message, "\(entry.arguments)")
            XCTAssertEqual(result.stdout, "")
            XCTAssertFalse(box.exists("bad.wsp"), "\(entry.arguments) must not leave a file")
        }
        let invalid: [[String]] = [["60:10", "60:20"], ["60:10", "90:100"], ["60:100", "120:10"], ["60:1", "120:100"]]
        for archives in invalid {
            let result = try CLI.stoker(["whisper", "create", "bad.wsp"] + archives, in: box.url)
            assertCleanFailure(result, "\(archives)")
            XCTAssertTrue(result.stderr.hasPrefix("[ERROR] invalid archive configuration: "), "\(archives): \(result)")
            XCTAssertFalse(box.exists("bad.wsp"))
        }
        let xff = try CLI.stoker(["whisper", "create", "bad.wsp", "60:10", "--xff", "1.5"], in: box.url)
        assertCleanFailure(xff, "xff 1.5")
        XCTAssertFalse(box.exists("bad.wsp"))
    }
}
