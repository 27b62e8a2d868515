import Glibc

/// How much memory this process may use, as the kernel will enforce it: its cgroup's limit
/// (v2 `memory.max`, v1 `memory.limit_in_bytes`), the machine's physical memory, and
/// RLIMIT_AS. A cache sized from these never gets the process OOM-killed by itself.
public struct MemoryLimits: Sendable, Equatable {
    /// The cgroup's limit in bytes; nil when none is set (or none can be read).
    public var cgroup: Int?
    /// Physical memory in bytes.
    public var physical: Int
    /// RLIMIT_AS in bytes (`ulimit -v`); nil when unlimited.
    public var addressSpace: Int?

    public init(cgroup: Int?, physical: Int, addressSpace: Int?) {
        self.cgroup = cgroup
        self.physical = physical
        self.addressSpace = addressSpace
    }

    /// The smallest of the limits, and which one it is (`cgroup`, `physical`, `rlimit_as`).
    public var effective: (bytes: Int, source: String) {
        var best = (bytes: physical, source: "physical")
        if let cgroup, cgroup < best.bytes { best = (cgroup, "cgroup") }
        if let addressSpace, addressSpace < best.bytes { best = (addressSpace, "rlimit_as") }
        return best
    }

    /// This process's limits, read now.
    public static func current() -> MemoryLimits {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        let physical = pages > 0 && pageSize > 0 ? pages * pageSize : Int.max
        var limit = rlimit()
        let addressSpace = getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max
            ? Int(clamping: limit.rlim_cur) : nil
        let membership = read("/proc/self/cgroup") ?? ""
        return MemoryLimits(cgroup: cgroupLimit(membership: membership, read: read), physical: physical, addressSpace: addressSpace)
    }

    /// The memory limit of the cgroup named in `/proc/self/cgroup` text: v1's memory hierarchy
    /// first, then v2's unified one; values of 2^60 and more mean "no limit" (v1 writes its
    /// unlimited as a page-rounded 2^63 - 1). `read` returns a file's contents.
    public static func cgroupLimit(membership: String, read: (String) -> String?) -> Int? {
        var v1: String?, v2: String?
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].split(separator: ",").contains("memory") { v1 = String(fields[2]) }
            if fields[0] == "0" && fields[1].isEmpty { v2 = String(fields[2]) }
        }
        var candidates: [String] = []
        if let v1 {
            candidates.append("/sys/fs/cgroup/memory\(v1)/memory.limit_in_bytes")
            candidates.append("/sys/fs/cgroup/memory/memory.limit_in_bytes")
        }
        if let v2 {
            candidates.append("/sys/fs/cgroup\(v2 == "/" ? "" : v2)/memory.max")
            candidates.append("/sys/fs/cgroup/unified\(v2 == "/" ? "" : v2)/memory.max")
        }
        for path in candidates {
            guard let text = read(path) else { continue }
            let value = text.filter { !$0.isWhitespace }
            if value == "max" { return nil }
            if let bytes = Int(value) { return bytes >= 1 << 60 ? nil : bytes }
        }
        return nil
    }

    /// A small file's contents, or nil.
    static func read(_ path: String) -> String? {
        (try? FileBytes.read(atPath: path)).map { String(decoding: $0, as: UTF8.self) }
    }
}
