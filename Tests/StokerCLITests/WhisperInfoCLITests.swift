import XCTest

/// `stoker whisper info` must print exactly what /usr/bin/whisper-info prints.
final class WhisperInfoCLITests: XCTestCase {
    private let fieldQueries: [[String]] = [
        [], ["--json"], ["aggregationMethod"], ["maxRetention"], ["xFilesFactor"], ["archives"], ["fileSize"],
    ]

    private func assertSameInfo(_ file: String, in box: Sandbox, _ what: String) throws {
        for extra in fieldQueries {
            let expected = try CLI.reference("whisper-info", [file] + extra, in: box.url)
            let actual = try CLI.stoker(["whisper", "info", file] + extra, in: box.url)
            XCTAssertEqual(expected.status, 0, "whisper-info \(extra): \(expected)")
            XCTAssertEqual(actual.status, 0, "stoker whisper info \(extra): \(actual)")
            XCTAssertEqual(actual.stdout, expected.stdout, "\(what), info \(extra)")
        }
        // whisper-info's unknown-field answer goes to stdout with exit status 1.
        let expected = try CLI.reference("whisper-info", [file, "bogus"], in: box.url)
        let actual = try CLI.stoker(["whisper", "info", file, "bogus"], in: box.url)
        XCTAssertEqual(actual.status, 1)
        XCTAssertEqual(expected.status, 1)
        XCTAssertEqual(actual.stdout, expected.stdout, "\(what), unknown field")
    }

    func testInfoMatchesWhisperInfoOnFilesFromWhisperCreate() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        for (index, config) in WhisperConfig.all.enumerated() {
            let file = "python\(index).wsp"
            assertSuccess(try CLI.reference("whisper-create", config.referenceArguments(file), in: box.url), "whisper-create \(config)")
            try assertSameInfo(file, in: box, "whisper-create \(config)")
        }
    }

    func testInfoMatchesWhisperInfoOnFilesFromStokerCreate() throws {
        try CLI.requireWhisperModule()
        let box = try Sandbox()
        for (index, config) in WhisperConfig.all.enumerated() {
            let file = "stoker\(index).wsp"
            assertSuccess(try CLI.stoker(config.stokerArguments(file), in: box.url), "stoker create \(config)")
            try assertSameInfo(file, in: box, "stoker create \(config)")
        }
    }

    /// The exact text, so the comparison above cannot pass by both tools printing nothing.
    func testInfoExactText() throws {
        let box = try Sandbox()
        assertSuccess(try CLI.stoker(["whisper", "create", "f.wsp", "60:1440", "5m:7d", "--xff", "0.1",
                                      "--aggregation-method", "sum"], in: box.url), "create")
        let text = assertSuccess(try CLI.stoker(["whisper", "info", "f.wsp"], in: box.url), "info")
        XCTAssertEqual(text, """
            aggregationMethod: sum
            maxRetention: 604800
            xFilesFactor: 0.10000000149011612
            fileSize: 41512

            Archive 0
            offset: 40
            secondsPerPoint: 60
            points: 1440
            retention: 86400
            size: 17280

            Archive 1
            offset: 17320
            secondsPerPoint: 300
            points: 2016
            retention: 604800
            size: 24192


            """)
        let json = assertSuccess(try CLI.stoker(["whisper", "info", "f.wsp", "--json"], in: box.url), "info --json")
        XCTAssertEqual(json, """
            {
              "aggregationMethod": "sum",
              "maxRetention": 604800,
              "xFilesFactor": 0.10000000149011612,
              "archives": [
                {
                  "offset": 40,
                  "secondsPerPoint": 60,
                  "points": 1440,
                  "retention": 86400,
                  "size": 17280
                },
                {
                  "offset": 17320,
                  "secondsPerPoint": 300,
                  "points": 2016,
                  "retention": 604800,
                  "size": 24192
                }
              ],
              "fileSize": 41512
            }

            """)
        let field = assertSuccess(try CLI.stoker(["whisper", "info", "f.wsp", "xFilesFactor"], in: box.url), "field")
        XCTAssertEqual(field, "0.10000000149011612\n")
        let small = try CLI.stoker(["whisper", "create", "g.wsp", "60:10", "--xff", "0.00001"], in: box.url)
        assertSuccess(small, "create g")
        XCTAssertEqual(try CLI.stoker(["whisper", "info", "g.wsp", "xFilesFactor"], in: box.url).stdout,
                       "9.999999747378752e-06\n")
    }
}
