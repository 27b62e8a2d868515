import Glibc
import Foundation

/// Facts about the machine a benchmark runs on, and the few process settings a suite changes.
enum Machine {
    /// Online CPUs (what `nproc` prints when no affinity mask is set).
    static var processorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Kernel release (`uname -r`).
    static var kernelRelease: String {
        var name = utsname()
        guard uname(&name) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// The first three fields of /proc/loadavg, or "unknown".
    static var loadAverage: String {
        guard let file = fopen("/proc/loadavg", "r") else { return "unknown" }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return "unknown" }
        let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The kernel's dirty-page writeback settings (`/proc/sys/vm`), which decide how often a
    /// whisper page updated every interval is written to storage (docs/limits.md, "Dirty-page writeback").
    static var writebackSettings: String {
        let keys = ["dirty_background_ratio", "dirty_ratio", "dirty_background_bytes", "dirty_bytes", "dirty_expire_centisecs"]
        return keys.compactMap { key -> String? in
            guard let text = try? String(contentsOfFile: "/proc/sys/vm/" + key, encoding: .utf8) else { return nil }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            // A `_bytes` setting of 0 means its `_ratio` applies.
            return key.hasSuffix("_bytes") && value == "0" ? nil : "vm.\(key) \(value)"
        }.joined(separator: ", ")
    }

    /// Raises the soft open-file limit to the hard one; returns (soft, hard) after the change.
    @discardableResult
    static func raiseOpenFileLimit() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return (0, 0) }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Sets the open-file limit (soft and hard) to `count`, as systemd's `LimitNOFILE` does for
    /// a service; raising the hard limit needs root. Children started afterwards inherit it.
    static func setOpenFileLimit(_ count: UInt64) throws {
        var limit = rlimit(rlim_cur: rlim_t(count), rlim_max: rlim_t(count))
        guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw BenchFailure("cannot set RLIMIT_NOFILE to \(count): \(String(cString: strerror(errno))) (raising the hard limit needs root)")
        }
    }

    /// Pins the calling thread to one CPU (sched_setaffinity, which Swift's Glibc module does
    /// not import, so it is looked up at run time). Returns false if that is not possible.
    static func pinToCPU(_ cpu: Int) -> Bool {
        typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
        guard cpu >= 0, cpu < MemoryLayout<cpu_set_t>.size * 8,
              let symbol = libcSymbol("sched_setaffinity") else { return false }
        var set = cpu_set_t()
        withUnsafeMutableBytes(of: &set) { raw in
            // cpu_set_t is an array of unsigned longs, bit n of the set is bit n%64 of word n/64;
            // on a little-endian machine that is bit n%8 of byte n/8.
            raw[cpu / 8] |= UInt8(1) << UInt8(cpu % 8)
        }
        let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
        return withUnsafeBytes(of: &set) { setAffinity(0, MemoryLayout<cpu_set_t>.size, $0.baseAddress!) } == 0
    }

    /// Writes back the dirty pages of the filesystem holding `path` (syncfs), so that a phase
    /// does not start with the previous phase's writeback pending. Falls back to sync().
    static func flushFilesystem(containing path: String) {
        typealias SyncFS = @convention(c) (Int32) -> Int32
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0, let symbol = libcSymbol("syncfs") {
            _ = unsafeBitCast(symbol, to: SyncFS.self)(fd)
            close(fd)
            return
        }
        if fd >= 0 { close(fd) }
        sync()
    }

    /// A `/proc/self/status` field in bytes (`VmRSS`, `VmHWM`: given in kB there), or 0.
    static func statusBytes(_ field: String) -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix(field + ":") else { continue }
            let number = text.dropFirst(field.count + 1).filter(\.isNumber)
            return (Int(number) ?? 0) * 1024
        }
        return 0
    }

    /// Resident set size of this process now (VmRSS).
    static var residentBytes: Int { statusBytes("VmRSS") }

    /// Highest resident set size since start or since `resetPeakResident` (VmHWM).
    static var peakResidentBytes: Int { statusBytes("VmHWM") }

    /// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs). Returns false if the
    /// kernel refused.
    @discardableResult
    static func resetPeakResident() -> Bool {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(file) }
        return fputs("5", file) >= 0
    }

    /// Returns free heap pages to the kernel (glibc's malloc_trim(0), looked up at run time), so
    /// that the next RSS delta counts fresh pages rather than reused ones.
    static func trimHeap() {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = libcSymbol("malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
    }

    /// Bytes the process's malloc heap holds for live allocations, from glibc's malloc_info
    /// (looked up at run time): arenas' system memory minus their free chunks, plus mmapped
    /// chunks. Unlike RSS it does not depend on how freed chunks are laid out. nil if unknown.
    static func heapBytesInUse() -> Int? {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>) -> Int32
        guard let symbol = libcSymbol("malloc_info"), let file = tmpfile() else { return nil }
        defer { fclose(file) }
        guard unsafeBitCast(symbol, to: MallocInfo.self)(0, file) == 0 else { return nil }
        rewind(file)
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            text += chunk[0..<n]
        }
        // The process-wide totals follow the last </heap>.
        let xml = String(decoding: text, as: UTF8.self)
        guard let tail = xml.range(of: "</heap>", options: .backwards).map({ xml[$0.upperBound...] }) else { return nil }
        func size(_ tag: String) -> Int? {
            guard let r = tail.range(of: tag) else { return nil }
            let rest = tail[r.upperBound...]
            guard let s = rest.range(of: "size=\"") else { return nil }
            return Int(rest[s.upperBound...].prefix(while: \.isNumber))
        }
        guard let fast = size("<total type=\"fast\""), let rest = size("<total type=\"rest\""),
              let mmap = size("<total type=\"mmap\""), let current = size("<system type=\"current\"") else { return nil }
        return current - fast - rest + mmap
    }

    /// A free TCP or UDP port on 127.0.0.1 (bound to port 0, read back, released).
    static func freeLoopbackPort(udp: Bool = false) throws -> Int {
        let type = Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw BenchFailure("socket failed (errno \(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchFailure("cannot bind a loopback port (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func libcSymbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }
}

/// CLOCK_MONOTONIC in seconds, as the C baselines measure time.
enum MonotonicClock {
    @inline(__always)
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
