import Glibc
import XCTest
@testable import ServerRuntime

/// Freed chunks below live ones stay resident until `FreedMemory.release` hands their pages
/// back.
final class FreedMemoryTests: XCTestCase {
    private func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        let fields = String(decoding: buffer[0..<max(0, n)], as: UTF8.self).split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testFreedChunksBetweenLiveOnesAreGivenBack() {
        // 128 MiB in 1 KiB blocks (below the mmap threshold: on the heap), every page touched;
        // then all but every 64th freed, so each freed run sits between live blocks.
        let count = 128 * 1024
        var blocks = (0..<count).map { _ in malloc(1024)! }
        for block in blocks { memset(block, 1, 1024) }
        for index in blocks.indices where index % 64 != 0 { free(blocks[index]) }
        let before = residentBytes()
        XCTAssertTrue(FreedMemory.release())
        let after = residentBytes()
        XCTAssertGreaterThan(before - after, 64 << 20, "RSS \(before) -> \(after)")
        for index in blocks.indices where index % 64 == 0 { free(blocks[index]) }
        blocks.removeAll()
    }
}
