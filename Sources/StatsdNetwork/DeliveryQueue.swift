import Foundation
import ServerRuntime
import StatsdCore
import Synchronization

/// A bounded queue drained in order by a thread of its own, for what statsd hands to other
/// servers (the upstream copy of each flush, graphite-web's events): an item that cannot be
/// delivered now waits and is retried with back-off, doubling from 0.5 s up to
/// `maximumBackoff`; past `capacity` the oldest items are dropped.
final class DeliveryQueue<Item: Sendable>: Sendable {
    enum Outcome { case delivered, discarded, retryLater }

    private struct State {
        var items: [Item] = []
        var stopping = false
    }

    let name: String
    let capacity: Int
    private let maximumBackoff: Double
    /// Delivers one item; also told how many wait in all (for the logs).
    private let deliver: @Sendable (Item, _ waiting: Int) -> Outcome
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Mutex<WorkerThread?>(nil)

    init(name: String, capacity: Int, maximumBackoff: Double, deliver: @escaping @Sendable (Item, _ waiting: Int) -> Outcome) {
        self.name = name
        self.capacity = capacity
        self.maximumBackoff = maximumBackoff
        self.deliver = deliver
    }

    var count: Int { state.withLock { $0.items.count } }

    func start() {
        let started = WorkerThread.start(name: name) { [self] in run() }
        thread.withLock { $0 = started }
    }

    /// Queues `items`; returns how many of the oldest had to be dropped to stay within capacity.
    @discardableResult
    func enqueue(_ items: [Item]) -> Int {
        guard !items.isEmpty else { return 0 }
        let dropped = state.withLock { state -> Int in
            state.items += items
            let excess = max(0, state.items.count - capacity)
            state.items.removeFirst(excess)
            return excess
        }
        wake.signal()
        return dropped
    }

    /// Stops after trying to deliver what is queued, for at most `timeout` seconds (blocking: from
    /// async code, through `WorkerThread.run`).
    func stop(timeout: Double) {
        state.withLock { $0.stopping = true }
        wake.signal()
        thread.withLock { $0 }?.waitBlocking(timeout: timeout)
    }

    private func run() {
        var backoff = RetryBackoff(initial: 0.5, maximum: maximumBackoff)
        while true {
            let (next, waiting, stopping) = state.withLock { ($0.items.first, $0.items.count, $0.stopping) }
            guard let item = next else {
                if stopping { return }
                wake.wait()
                continue
            }
            switch deliver(item, waiting) {
            case .delivered, .discarded:
                state.withLock { if !$0.items.isEmpty { $0.items.removeFirst() } }
                backoff.succeeded()
            case .retryLater:
                if stopping { return }
                // Woken early by a new item or the stop.
                _ = wake.wait(timeout: .now() + backoff.failed())
            }
        }
    }
}
