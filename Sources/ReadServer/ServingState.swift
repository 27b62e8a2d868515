import Synchronization

/// Where the process is in its life, for `GET /health` (docs/reads.md §6): 503 until every
/// listener is up and the write-ahead log replayed, 200 while serving, 503 again while the
/// shutdown drains the cache.
public final class ServingState: Sendable {
    public enum Phase: Int, Sendable {
        case starting, serving, draining
    }

    private let phase = Atomic<Int>(Phase.starting.rawValue)

    public init() {}

    public var current: Phase { Phase(rawValue: phase.load(ordering: .relaxed)) ?? .starting }

    public func enter(_ next: Phase) {
        phase.store(next.rawValue, ordering: .relaxed)
    }

    /// The `/health` answer.
    public var response: (status: Int, text: String) {
        switch current {
        case .starting: (503, "starting")
        case .serving: (200, "ok")
        case .draining: (503, "draining")
        }
    }
}
