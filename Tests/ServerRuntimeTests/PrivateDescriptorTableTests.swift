import Foundation
import Glibc
import XCTest
@testable import ServerRuntime

/// A thread that enters a descriptor table of its own neither keeps the process's descriptors
/// alive nor shows the process its own.
final class PrivateDescriptorTableTests: XCTestCase {
    /// What descriptor `fd` of the thread-group's table (the main thread's) refers to.
    private func processTarget(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        return n < 0 ? nil : String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func testASocketTheProcessClosesIsClosedAndTheThreadsFilesAreItsOwn() throws {
        var pair: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stoker-private-table-\(UUID().uuidString)").path
        addTeardownBlock { unlink(path) }

        /// Written by the thread before `ready`, read after it.
        final class Seen: @unchecked Sendable {
            var entered = false
            var processSocketGone = false
            var opened: Int32 = -1
        }
        let seen = Seen()
        let processEnd = pair[1]
        let proceed = DispatchSemaphore(value: 0)
        let ready = DispatchSemaphore(value: 0)
        let thread = WorkerThread.start(name: "stoker-test-table") {
            seen.entered = PrivateDescriptorTable.enter()
            // The copies of the process's descriptors are gone from this thread's table.
            seen.processSocketGone = fcntl(processEnd, F_GETFD) == -1 && errno == EBADF
            seen.opened = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            ready.signal()
            proceed.wait()
        }
        ready.wait()
        XCTAssertTrue(seen.entered, "close_range(CLOSE_RANGE_UNSHARE) refused")
        XCTAssertTrue(seen.processSocketGone, "the thread still holds the process's socket")
        XCTAssertGreaterThanOrEqual(seen.opened, 0)
        XCTAssertNotEqual(processTarget(seen.opened), path, "the thread's file is in the process's table")

        // The process closes its end: the peer sees the end of the stream at once, as no copy
        // lives on in the thread's table (with one, the read would find nothing yet: EAGAIN).
        _ = fcntl(pair[0], F_SETFL, O_NONBLOCK)
        close(pair[1])
        var byte: UInt8 = 0
        XCTAssertEqual(read(pair[0], &byte, 1), 0)
        close(pair[0])
        proceed.signal()
        XCTAssertTrue(thread.waitBlocking(timeout: 10))
    }
}
