import Foundation
import XCTest
@testable import Whisper

/// Seeded random sequences of create + update_many applied by whisper.py and by Stoker must give
/// byte-identical files and identical fetch answers. STOKER_DIFF_CASES raises the case count,
/// STOKER_DIFF_SEED picks another sequence.
final class DifferentialTests: XCTestCase {
    func testRandomSequencesMatchWhisperPy() throws {
        try PythonWhisper.requireAvailable()
        let env = ProcessInfo.processInfo.environment
        let count = env["STOKER_DIFF_CASES"].flatMap(Int.init) ?? 300
        let seed = env["STOKER_DIFF_SEED"].flatMap(UInt64.init) ?? 20261128
        var rng = SplitMix64(seed: seed)
        let cases = (0..<count).map { DifferentialCase.random(id: "c\($0)", using: &rng) }

        let dir = try makeTemporaryDirectory(self)
        let pyDir = dir.appendingPathComponent("py"), swDir = dir.appendingPathComponent("sw")
        try FileManager.default.createDirectory(at: pyDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: swDir, withIntermediateDirectories: true)
        let specURL = dir.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: ["cases": cases.map(\.json)]).write(to: specURL)

        let (status, _, stderr) = try PythonWhisper.run(
            [PythonWhisper.oraclesDirectory.appendingPathComponent("whisper_oracle.py").path, specURL.path, pyDir.path])
        XCTAssertEqual(status, 0, stderr)
        guard status == 0 else { return }
        let pyFetches = try ReferenceAnswer.fetches(
            Data(contentsOf: pyDir.appendingPathComponent("fetches.json")), cases: cases)

        var mismatches = 0
        for testCase in cases {
            let path = swDir.appendingPathComponent("\(testCase.id).wsp").path
            let file = try WhisperFile.create(path: path, archives: testCase.archives,
                                              xFilesFactor: testCase.xff, aggregationMethod: testCase.method)
            for batch in testCase.batches { try file.updateMany(batch.points, now: batch.now) }
            let ours = try Data(contentsOf: URL(fileURLWithPath: path))
            let theirsPath = pyDir.appendingPathComponent("\(testCase.id).wsp").path
            let theirs = try Data(contentsOf: URL(fileURLWithPath: theirsPath))
            if ours != theirs {
                mismatches += 1
                let at = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
                XCTFail("\(testCase.id): files differ at byte \(at) (sizes \(ours.count)/\(theirs.count)); case: \(testCase.summary)")
                if mismatches > 5 { break }
                continue
            }
            // Stoker reading whisper.py's file and its own must answer as whisper.py does.
            let theirsFile = try WhisperFile.open(path: theirsPath, writable: false)
            // ReferenceAnswer.fetches checked that every case has one answer per request.
            for (request, answer) in zip(testCase.fetches, pyFetches[testCase.id]!) {
                for reader in [file, theirsFile] {
                    let got = try reader.fetch(from: request.from, until: request.until, now: request.now)
                    XCTAssertEqual(FetchAnswer(got), answer,
                                   "\(testCase.id): fetch \(request) of \(reader === file ? "Stoker's" : "whisper.py's") file")
                }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}

/// Fetch results compared by bit pattern, so NaN and -0.0 compare exactly.
struct FetchAnswer: Equatable {
    var from = 0, until = 0, step = 0
    var values: [UInt64?] = []
    var isNone = true

    init(_ series: WhisperSeries?) {
        guard let series else { return }
        isNone = false
        (from, until, step) = (series.fromInterval, series.untilInterval, series.step)
        values = series.values.map { $0?.bitPattern }
    }

    /// whisper_oracle.py's form: null, or {"from", "until", "step", "values": [bits or null]};
    /// nil for anything else.
    init?(json: Any) {
        if json is NSNull { return }
        guard let object = json as? [String: Any], let from = object["from"] as? NSNumber,
              let until = object["until"] as? NSNumber, let step = object["step"] as? NSNumber,
              let values = object["values"] as? [Any] else { return nil }
        isNone = false
        (self.from, self.until, self.step) = (from.intValue, until.intValue, step.intValue)
        for value in values {
            switch value {
            case is NSNull: self.values.append(nil)
            case let bits as NSNumber: self.values.append(bits.uint64Value)
            default: return nil
            }
        }
    }
}

/// whisper_oracle.py's fetches.json, checked before anything is compared with it: a case or a
/// request it has no answer for would otherwise be compared with nothing and pass.
enum ReferenceAnswer {
    enum Problem: Error, Equatable, CustomStringConvertible {
        case noCases
        case notAnObject
        case missingCase(String)
        case fetchCount(id: String, expected: Int, got: Int)
        case malformedFetch(id: String, index: Int)
        /// Every request answered None: the generator always asks for some stored points.
        case nothingFetched

        var description: String {
            switch self {
            case .noCases: "no cases to compare (STOKER_DIFF_CASES?)"
            case .notAnObject: "the reference's fetches.json is not an object of cases"
            case let .missingCase(id): "the reference has no answer for case \(id)"
            case let .fetchCount(id, expected, got): "case \(id): \(expected) fetches asked, the reference answered \(got)"
            case let .malformedFetch(id, index): "case \(id): the reference's answer to fetch \(index) is malformed"
            case .nothingFetched: "the reference answered None to every fetch of every case"
            }
        }
    }

    /// The reference's answers by case id, one per request of that case.
    static func fetches(_ data: Data, cases: [DifferentialCase]) throws -> [String: [FetchAnswer]] {
        guard !cases.isEmpty else { throw Problem.noCases }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Problem.notAnObject }
        var answers: [String: [FetchAnswer]] = [:]
        for testCase in cases {
            guard let list = object[testCase.id] as? [Any] else { throw Problem.missingCase(testCase.id) }
            guard list.count == testCase.fetches.count else {
                throw Problem.fetchCount(id: testCase.id, expected: testCase.fetches.count, got: list.count)
            }
            answers[testCase.id] = try list.enumerated().map { index, json in
                guard let answer = FetchAnswer(json: json) else { throw Problem.malformedFetch(id: testCase.id, index: index) }
                return answer
            }
        }
        guard answers.values.contains(where: { $0.contains { !$0.isNone } }) else { throw Problem.nothingFetched }
        return answers
    }
}

struct FetchRequest: CustomStringConvertible {
    var from: Int, until: Int, now: Int
    var description: String { "(from \(from), until \(until), now \(now))" }
}

/// One generated scenario. The generator stays inside what whisper.py does deterministically:
/// no NaN (Python's max/min are order-dependent with it), and future points only in batches whose archive-0 run cannot outgrow the ring
/// (whisper.py would write past the archive's end there; Stoker wraps).
struct DifferentialCase {
    struct Batch { var now: Int; var points: [WhisperPoint] }
    var id: String
    var archives: [ArchiveSpec]
    var xff: Double
    var method: AggregationMethod
    var batches: [Batch]
    var fetches: [FetchRequest]

    var summary: String { "archives \(archives) xff \(xff) \(method) batches \(batches.count)" }

    var json: [String: Any] {
        [
            "id": id,
            "archives": archives.map { [$0.secondsPerPoint, $0.points] },
            "xff": xff,
            "method": method.name,
            "batches": batches.map { batch in
                ["now": batch.now, "points": batch.points.map { [$0.timestamp, $0.value.bitPattern] }] as [String: Any]
            },
            "fetches": fetches.map { ["from": $0.from, "until": $0.until, "now": $0.now] },
        ]
    }

    static func random(id: String, using rng: inout SplitMix64) -> DifferentialCase {
        let archiveCount = [1, 2, 2, 3, 3].randomElement(using: &rng)!
        var archives = [ArchiveSpec(secondsPerPoint: [1, 5, 10, 60].randomElement(using: &rng)!,
                                    points: Int.random(in: 8...40, using: &rng))]
        while archives.count < archiveCount {
            let higher = archives.last!
            let ratios = [2, 3, 4, 5, 6, 10].filter { $0 <= higher.points }
            let step = higher.secondsPerPoint * ratios.randomElement(using: &rng)!
            let minimum = higher.retention / step + 1
            archives.append(ArchiveSpec(secondsPerPoint: step, points: minimum + Int.random(in: 0...12, using: &rng)))
        }
        let xff = [0, 0.5, 1.0 / 6.0, 1, 0.1, 0.75].randomElement(using: &rng)!
        let method = AggregationMethod.allCases.randomElement(using: &rng)!
        let step0 = archives[0].secondsPerPoint, ret0 = archives[0].retention
        let maxRetention = archives.last!.retention

        var now = 1_700_000_000 + Int.random(in: 0..<100_000, using: &rng)
        var batches: [Batch] = []
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            now += [0, 1, step0, Int.random(in: 0...(2 * maxRetention), using: &rng),
                    Int.random(in: 0...ret0, using: &rng)].randomElement(using: &rng)!
            let withFuture = Int.random(in: 0..<5, using: &rng) == 0
            var points: [WhisperPoint] = []
            let pointCount = Int.random(in: 0..<10, using: &rng) == 0
                ? Int.random(in: 100...300, using: &rng) : Int.random(in: 1...30, using: &rng)
            for _ in 0..<pointCount {
                let age: Int
                switch Int.random(in: 0..<10, using: &rng) {
                case 0...4: age = withFuture ? Int.random(in: 0...(ret0 / 2), using: &rng) : Int.random(in: 0...ret0, using: &rng)
                case 5...6:
                    let youngest = withFuture ? ret0 + 1 : 0
                    age = Int.random(in: youngest...max(youngest, maxRetention), using: &rng)
                case 7: age = maxRetention + Int.random(in: 0...(2 * maxRetention), using: &rng)
                case 8: age = withFuture ? -Int.random(in: 1...(2 * step0), using: &rng) : Int.random(in: 0...step0, using: &rng)
                default: age = points.isEmpty ? 0 : now - points.randomElement(using: &rng)!.timestamp
                }
                points.append(WhisperPoint(timestamp: now - age, value: randomValue(using: &rng)))
            }
            if withFuture && archives[0].points < 8 { points.removeAll { $0.timestamp > now } }
            batches.append(Batch(now: now, points: points))
        }
        var fetches: [FetchRequest] = []
        for _ in 0..<4 {
            let a = now - Int.random(in: -30...(maxRetention + 50), using: &rng)
            let b = [a, now - Int.random(in: -30...(maxRetention + 50), using: &rng)].randomElement(using: &rng)!
            fetches.append(FetchRequest(from: min(a, b), until: max(a, b), now: now))
        }
        return DifferentialCase(id: id, archives: archives.shuffled(using: &rng), xff: xff, method: method,
                                batches: batches, fetches: fetches)
    }

    static func randomValue(using rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return Double(Int.random(in: -10...10, using: &rng))
        case 1: return 0
        case 2: return -0.0
        case 3: return Double.random(in: -1e6...1e6, using: &rng)
        case 4: return Double.random(in: -1...1, using: &rng) * 1e-300
        default: return Double(Int.random(in: 0...1000, using: &rng)) / 7
        }
    }
}

/// A small, seedable generator so a failing sequence can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
