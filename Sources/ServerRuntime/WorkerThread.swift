import Dispatch
import Foundation
import Glibc
import Synchronization

/// A thread of the server's own (a UDP reader, a writer, the flush loop, a delivery queue):
/// named where `top -H` and /proc show it, and joined either from another thread (blocking,
/// with a timeout) or from async code without holding a concurrency-pool thread while it
/// waits.
public final class WorkerThread: Sendable {
    public let name: String
    private let finished = DispatchGroup()

    private init(name: String) {
        self.name = name
    }

    /// Starts `body` on a new thread called `name` (the kernel keeps 15 bytes of it).
    @discardableResult
    public static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) -> WorkerThread {
        let worker = WorkerThread(name: name)
        worker.finished.enter()
        let thread = Thread { [worker] in
            nameForTheKernel(name)
            body()
            worker.finished.leave()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
        return worker
    }

    /// Whether the body has returned.
    public var isFinished: Bool { finished.wait(timeout: .now()) == .success }

    /// Blocks the calling thread until the body returns, at most `timeout` seconds (nil: no
    /// limit); returns whether it did. For threads of the server's own, never async code.
    @discardableResult
    public func waitBlocking(timeout: Double? = nil) -> Bool {
        guard let timeout else {
            finished.wait()
            return true
        }
        return finished.wait(timeout: .now() + max(0, timeout)) == .success
    }

    /// Waits for the body to return without blocking a concurrency-pool thread.
    public func join() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { done.resume() }
        }
    }

    /// Like `join()`, giving up after `timeout` seconds; returns whether the body returned.
    @discardableResult
    public func join(timeout: Double) async -> Bool {
        await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(done)
            finished.notify(queue: .global()) { once.resume(true) }
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) { once.resume(false) }
        }
    }

    /// Runs blocking work (a drain, a stop that waits for threads and sockets) on a thread of
    /// its own and awaits its result, so async callers never block the concurrency pool.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
            start(name: name) { done.resume(returning: body()) }
        }
    }

    /// Foundation keeps Thread.name to itself on Linux, and Glibc's Swift module lacks
    /// pthread_setname_np; writing the name where glibc's own implementation does makes the
    /// thread visible in `top -H` and /proc (at most 15 bytes). Best effort.
    private static func nameForTheKernel(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = name.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, min(name.utf8.count, 15)) }
        close(fd)
    }
}

/// Resumes a continuation from whichever of two callbacks comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: CheckedContinuation<T, Never>
    private let resumed = Atomic<Bool>(false)

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        if !resumed.exchange(true, ordering: .acquiringAndReleasing) { continuation.resume(returning: value) }
    }
}
