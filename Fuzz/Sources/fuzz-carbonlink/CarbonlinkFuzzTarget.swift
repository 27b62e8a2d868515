@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork
import Foundation
import FuzzHarness
import Pickle
import Whisper

/// Port 7002: the input is one pickled request in its frame, answered by CarbonlinkHandler
/// from a cache holding a few points and a data directory with one whisper file (so
/// get-metadata and set-metadata reach a real header).
///
/// Oracle: every answer is a well-framed pickle that Stoker's own decoder reads as a dict.
enum CarbonlinkFuzzTarget {
    /// LOCAL_DATA_DIR for this process, removed at exit.
    static let dataDirectory: String = {
        var template = Array((NSTemporaryDirectory() + "/stoker-fuzz-carbonlink.XXXXXX").utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        try! FileManager.default.createDirectory(atPath: directory + "/fuzz", withIntermediateDirectories: true)
        _ = try! WhisperFile.create(path: directory + "/fuzz/metric.wsp", archives: [ArchiveSpec(secondsPerPoint: 60, points: 5)])
        atexit { try? FileManager.default.removeItem(atPath: CarbonlinkFuzzTarget.dataDirectory) }
        return directory
    }()

    static let decoder = PickleDecoder()

    static func run(_ input: FuzzInput) {
        let cache = MetricCache(shardCount: 4)
        _ = cache.store("fuzz.metric", CachedPoint(timestamp: 1_700_000_000, value: 1.5))
        _ = cache.store("fuzz.metric", CachedPoint(timestamp: 1_700_000_060, value: -2))
        _ = cache.store("fuzz.tagged;dc=x", CachedPoint(timestamp: 1_700_000_000, value: .infinity))
        let layout = StorageLayout(schemas: StorageSchemas(schemas: [StorageSchemas.defaultSchema]),
                                   aggregation: StorageAggregation(rules: []), dataDirectory: dataDirectory,
                                   hashTaggedNames: true)
        let writer = CacheWriter(cache: cache, settings: WriterSettings(dataDirectory: dataDirectory), layout: layout,
                                 logger: DiscardingLogHandler.logger)
        let responder = CarbonlinkResponder(cache: cache, writer: writer, statistics: ReceiverStatistics(),
                                            integerTimestamps: true)
        let connection = PeerConnection(CarbonlinkHandler(responder: responder,
                                                          log: RateLimitedLogger(logger: DiscardingLogHandler.logger)),
                                        port: 7002)
        guard let header = try? PickleFrame.header(length: input.bytes.count) else { return }
        let frame = header + Array(input.bytes)
        frame.withUnsafeBytes { connection.deliver([$0]) }
        var answers = PickleFrame(maxLength: PickleFrame.carbonlinkMaxLength)
        for buffer in connection.written() {
            buffer.withUnsafeReadableBytes { answers.append($0) }
        }
        while let answer = try? answers.next() {
            do {
                let value = try decoder.decode(answer)
                fuzzCheck(value.asDict != nil, "carbonlink answered with a non-dict: \(value)")
            } catch {
                fuzzCheck(false, "carbonlink answer does not decode: \(error)")
            }
        }
        fuzzCheck(answers.bufferedByteCount == 0, "carbonlink wrote \(answers.bufferedByteCount) bytes outside a frame")
        connection.hangUp()
    }
}

@main
enum CarbonlinkFuzzMain {
    static func main() { FuzzDriver.run(CarbonlinkFuzzTarget.run) }
}
