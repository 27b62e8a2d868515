import Synchronization

/// Counters of the read API, for `/metrics` and the status page.
public final class ReadStatistics: Sendable {
    public let finds = Atomic<Int>(0)
    public let renders = Atomic<Int>(0)
    /// Requests answered with a 4xx or 503 for what they asked (limits, bad parameters).
    public let refused = Atomic<Int>(0)
    /// Requests turned away because `max_concurrent_requests` were already running.
    public let overloaded = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    private let busyNanoseconds = Atomic<Int>(0)

    public init() {}

    public var busySeconds: Double { Double(busyNanoseconds.load(ordering: .relaxed)) / 1e9 }

    func record(seconds: Double) {
        requests.add(1, ordering: .relaxed)
        busyNanoseconds.add(Int(seconds * 1e9), ordering: .relaxed)
    }
}
