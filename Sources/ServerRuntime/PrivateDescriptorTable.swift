import Glibc

/// Gives the calling thread a descriptor table of its own that holds only standard input,
/// output and error: glibc's `close_range(3, ~0, CLOSE_RANGE_UNSHARE)`, looked up at run time.
/// A writer thread opens and closes a file for nearly every update once there are more files
/// than descriptors; in the table every thread shares, each `openat` and `close` takes the
/// table's lock and each `pwrite` a reference on its file, which a table used by one thread
/// spares (BENCHMARKS.md, steady state). The copies of the other threads' descriptors are
/// closed, so that a socket the process closes does not stay open through this thread; what
/// the thread opens from then on is its own (not in /proc/self/fd) and closed when it ends.
public enum PrivateDescriptorTable {
    private typealias CloseRange = @convention(c) (UInt32, UInt32, Int32) -> Int32
    private static let closeRangeUnshare: Int32 = 1 << 1

    nonisolated(unsafe) private static let closeRange: CloseRange? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "close_range") else { return nil }
        return unsafeBitCast(symbol, to: CloseRange.self)
    }()

    /// Returns whether the thread now has a table of its own (false: an older kernel or C
    /// library, or a sandbox refusing the call; the thread goes on sharing the process's).
    @discardableResult
    public static func enter() -> Bool {
        guard let closeRange else { return false }
        return closeRange(3, UInt32.max, closeRangeUnshare) == 0
    }
}
