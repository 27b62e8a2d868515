import Foundation
import ServerRuntime
import Synchronization
import XCTest

final class WorkerThreadTests: XCTestCase {
    /// The thread carries its name where `top -H` reads it, and joining waits for the body.
    func testTheKernelSeesTheNameAndJoinWaitsForTheBody() async {
        let seen = Mutex<String>("")
        let release = DispatchSemaphore(value: 0)
        let thread = WorkerThread.start(name: "stoker-test-thread-long-name") {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            seen.withLock { $0 = comm.trimmingCharacters(in: .newlines) }
            release.wait()
        }
        XCTAssertEqual(thread.name, "stoker-test-thread-long-name")
        XCTAssertFalse(thread.waitBlocking(timeout: 0.05))
        let gaveUp = await thread.join(timeout: 0.05)
        XCTAssertFalse(gaveUp)
        XCTAssertFalse(thread.isFinished)
        release.signal()
        await thread.join()
        XCTAssertTrue(thread.isFinished)
        XCTAssertTrue(thread.waitBlocking(timeout: 0))
        let joined = await thread.join(timeout: 5)
        XCTAssertTrue(joined)
        XCTAssertEqual(seen.withLock { $0 }, "stoker-test-thr")
    }

    /// Blocking work awaited from async code runs on a thread of its own, named.
    func testRunAwaitsBlockingWorkOnItsOwnThread() async {
        let name = await WorkerThread.run(name: "stoker-run") { () -> String in
            Thread.sleep(forTimeInterval: 0.01)
            return (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        }
        XCTAssertEqual(name, "stoker-run\n")
    }
}

final class RetryBackoffTests: XCTestCase {
    func testDoublesFromTheInitialWaitUpToTheMaximumAndStartsOverAfterASuccess() {
        var backoff = RetryBackoff(initial: 0.1, maximum: 5)
        XCTAssertEqual(backoff.current, 0)
        let waits = (0..<8).map { _ in backoff.failed() }
        XCTAssertEqual(waits, [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5])
        backoff.succeeded()
        XCTAssertEqual(backoff.current, 0)
        XCTAssertEqual(backoff.failed(), 0.1)
    }
}
