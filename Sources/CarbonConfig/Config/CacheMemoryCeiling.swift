import ServerRuntime

/// MAX_CACHE_MEMORY (Stoker's own, docs/carbon.md §16): the memory the cache may hold before
/// it counts as full, as MAX_CACHE_SIZE's points do: TCP senders pause, UDP points are dropped
/// and counted. Without it a cache whose writes fail grows until the kernel kills the process.
public enum CacheMemoryCeiling: Sendable, Equatable, CustomStringConvertible {
    /// The default: half the memory the process may use (its cgroup's limit or the physical
    /// memory; a quarter of RLIMIT_AS, which also counts address space never touched), unless
    /// MAX_CACHE_SIZE is set.
    case auto
    /// No ceiling (`inf`).
    case unlimited
    /// A share of the memory the process may use (`40%`).
    case fraction(Double)
    /// A size (`512M`, `2G`, bytes).
    case bytes(Int)

    static let autoFraction = 0.5
    static let autoFractionOfAddressSpace = 0.25

    /// Parses `auto`, `inf`, `N%` or a size with an optional K, M, G or T suffix (powers of 1024).
    public static func parse(_ text: String) throws(ConfigValue.Invalid) -> CacheMemoryCeiling {
        let lowered = text.lowercased()
        switch lowered {
        case "auto": return .auto
        case "inf", "infinity", "max": return .unlimited
        default: break
        }
        let invalid = ConfigValue.Invalid(reason: "expected auto, inf, a percentage (40%) or a size (512M, 2G, bytes)")
        if lowered.hasSuffix("%") {
            guard let percent = Double(lowered.dropLast()), percent > 0, percent <= 100 else { throw invalid }
            return .fraction(percent / 100)
        }
        let units: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var digits = Substring(lowered)
        var unit = 1
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let value = Int(digits), value > 0, value <= Int.max / unit else { throw invalid }
        return .bytes(value * unit)
    }

    /// The ceiling in bytes under these limits (nil: none), and how it was reached.
    public func resolve(limits: MemoryLimits, maxCacheSize: Int?) -> (bytes: Int?, reason: String) {
        switch self {
        case .unlimited:
            return (nil, "MAX_CACHE_MEMORY = inf")
        case let .bytes(bytes):
            return (bytes, "MAX_CACHE_MEMORY")
        case let .fraction(share):
            let (memory, source) = limits.effective
            return (Int(Double(memory) * share), "\(Int(share * 100))% of \(source) \(memory)")
        case .auto:
            if maxCacheSize != nil { return (nil, "MAX_CACHE_SIZE is set") }
            let (memory, source) = limits.effective
            let share = source == "rlimit_as" ? Self.autoFractionOfAddressSpace : Self.autoFraction
            return (Int(Double(memory) * share), "auto: \(Int(share * 100))% of \(source) \(memory)")
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .unlimited: "inf"
        case let .fraction(share): "\(Int((share * 100).rounded()))%"
        case let .bytes(bytes): "\(bytes)"
        }
    }
}
