import Glibc

/// Gives the pages of freed allocations back to the kernel (glibc's `malloc_trim(0)`, looked up
/// at run time; a no-op under another allocator). glibc returns only the free space at the top
/// of a heap by itself: the chunks freed in between (a cache's queues emptied by the writers, a
/// backlog worked off) stay resident. Measured at 1 M series every 10 s, the RSS was 40 %
/// freed chunks (BENCHMARKS.md, Steady state).
public enum FreedMemory {
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    nonisolated(unsafe) private static let trim: MallocTrim? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
    }()

    /// Returns whether the allocator gave memory back.
    @discardableResult
    public static func release() -> Bool {
        (trim?(0) ?? 0) != 0
    }
}
