import XCTest
import Pickle

final class FrameTests: XCTestCase {
    func testEncodeAndParseAcrossArbitrarySplits() throws {
        let payloads: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300), Array(0...255), [0x2E]]
        var stream: [UInt8] = []
        for payload in payloads { stream += try PickleFrame.encode(payload) }
        XCTAssertEqual(Array(try PickleFrame.encode([0xAA, 0xBB])), [0, 0, 0, 2, 0xAA, 0xBB])
        XCTAssertEqual(try PickleFrame.header(length: 0x0102_0304), [1, 2, 3, 4])

        // One byte at a time.
        var reader = PickleFrame(maxLength: 1000)
        var received: [[UInt8]] = []
        for byte in stream {
            reader.append(contentsOf: [byte])
            while let frame = try reader.next() { received.append(frame) }
        }
        XCTAssertEqual(received, payloads)
        XCTAssertEqual(reader.bufferedByteCount, 0)

        // All at once, through the raw-buffer entry point.
        var whole = PickleFrame(maxLength: 1000)
        stream.withUnsafeBytes { whole.append($0) }
        received = []
        while let frame = try whole.next() { received.append(frame) }
        XCTAssertEqual(received, payloads)

        // Random chunking.
        var rng = SplitMix64(seed: 42)
        for _ in 0..<50 {
            var chunked = PickleFrame(maxLength: 1000)
            var offset = 0
            received = []
            while offset < stream.count {
                let size = min(stream.count - offset, 1 + Int(rng.next() % 40))
                chunked.append(contentsOf: stream[offset..<(offset + size)])
                offset += size
                while let frame = try chunked.next() { received.append(frame) }
            }
            XCTAssertEqual(received, payloads)
        }
    }

    func testOversizedFrameIsReportedFromTheHeaderAlone() throws {
        var reader = PickleFrame(maxLength: 10)
        reader.append(contentsOf: [0, 0, 0, 10] + Array(repeating: 1, count: 10))
        XCTAssertEqual(try reader.next(), Array(repeating: 1, count: 10), "exactly the maximum is accepted")
        reader.append(contentsOf: [0, 0, 0])
        XCTAssertNil(try reader.next())
        reader.append(contentsOf: [11])  // body never sent
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual(error as? PickleFrameError, .tooLong(declared: 11, maximum: 10))
        }
        // It stays failed: the caller closes the connection.
        reader.append(contentsOf: [0, 0, 0, 1, 5])
        XCTAssertThrowsError(try reader.next())
        XCTAssertEqual(reader.bufferedByteCount, 0)

        var huge = PickleFrame()
        XCTAssertEqual(huge.maxLength, 1_048_576)
        huge.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try huge.next()) { error in
            XCTAssertEqual(error as? PickleFrameError, .tooLong(declared: 0xFFFF_FFFF, maximum: 1_048_576))
        }
        XCTAssertThrowsError(try PickleFrame.header(length: 1 << 32)) { error in
            XCTAssertEqual(error as? PickleFrameError, .payloadTooLarge(1 << 32))
        }
        XCTAssertEqual(PickleFrame.carbonlinkMaxLength, 32 << 20)
    }

    func testLargeStreamCompactsWithoutLosingBytes() throws {
        var reader = PickleFrame(maxLength: 100_000)
        var expected: [[UInt8]] = []
        var received: [[UInt8]] = []
        for i in 0..<200 {
            let payload = [UInt8](repeating: UInt8(i & 0xFF), count: 5000 + i)
            expected.append(payload)
            let framed = try PickleFrame.encode(payload)
            // Split each frame so compaction happens with a partial frame buffered.
            reader.append(contentsOf: framed[..<3000])
            while let frame = try reader.next() { received.append(frame) }
            reader.append(contentsOf: framed[3000...])
            while let frame = try reader.next() { received.append(frame) }
        }
        XCTAssertEqual(received, expected)
    }
}
