import CarbonConfig
import CarbonCache
import Synchronization

import Glibc
import ServerRuntime

/// carbon's rate limiter: float tokens refilled continuously, starting full. `nil` rate means
/// unlimited (carbon's `inf`).
public final class TokenBucket: Sendable {
    struct State {
        var capacity: Double
        var ratePerSecond: Double
        var tokens: Double
        var updated: Double
    }

    private let state: Mutex<State?>
    /// Whether a rate is set, read without the lock: every write takes a token, and with no
    /// limit (the default) the writer threads would otherwise all take one lock per write.
    private let limited: Atomic<Bool>
    private let pacing: Pacing

    public init(capacity: Double?, ratePerSecond: Double?, pacing: Pacing = .real) {
        self.pacing = pacing
        if let capacity, let ratePerSecond {
            state = Mutex(State(capacity: capacity, ratePerSecond: ratePerSecond, tokens: capacity, updated: pacing.now()))
            limited = Atomic(true)
        } else {
            state = Mutex(nil)
            limited = Atomic(false)
        }
    }

    public var isUnlimited: Bool { !limited.load(ordering: .acquiring) }

    /// Takes a token if one is available now.
    public func tryTake() -> Bool {
        waitTime() == 0
    }

    /// Takes a token, sleeping until one is available (the update limit blocks the writer).
    /// Returns the seconds waited.
    /// `unless` is asked between short sleeps: true ends the wait without a token.
    @discardableResult
    public func take(unless: () -> Bool = { false }) -> Double {
        // Unlimited (the default): nothing to wait for, neither the lock nor `unless` asked.
        guard limited.load(ordering: .acquiring) else { return 0 }
        var waited = 0.0
        while true {
            if unless() { return waited }
            let wait = waitTime()
            if wait == 0 { return waited }
            let slice = min(wait, 0.1)
            pacing.sleep(slice)
            waited += slice
        }
    }

    /// Seconds until a token can be taken; 0 means one was just taken.
    public func waitTime() -> Double {
        guard limited.load(ordering: .acquiring) else { return 0 }
        return state.withLock { state in
            guard var s = state else { return 0 }
            let now = pacing.now()
            s.tokens = min(s.capacity, s.tokens + (now - s.updated) * s.ratePerSecond)
            s.updated = now
            defer { state = s }
            if s.tokens >= 1 {
                s.tokens -= 1
                return 0
            }
            return s.ratePerSecond > 0 ? (1 - s.tokens) / s.ratePerSecond : .infinity
        }
    }

    /// Seconds until a token will be available, without taking it.
    public func waitTimeWithoutTaking() -> Double {
        guard limited.load(ordering: .acquiring) else { return 0 }
        return state.withLock { state in
            guard let s = state else { return 0 }
            let tokens = min(s.capacity, s.tokens + (pacing.now() - s.updated) * s.ratePerSecond)
            return tokens >= 1 ? 0 : (s.ratePerSecond > 0 ? (1 - tokens) / s.ratePerSecond : 1)
        }
    }

    /// Changes the rate (and capacity) in place, or lifts the limit with nil: shutdown's
    /// MAX_UPDATES_PER_SECOND_ON_SHUTDOWN.
    public func setRate(_ ratePerSecond: Double?) {
        state.withLock { state in
            guard let ratePerSecond else {
                state = nil
                limited.store(false, ordering: .releasing)
                return
            }
            let now = pacing.now()
            let tokens = state.map { min(ratePerSecond, $0.tokens) } ?? ratePerSecond
            state = State(capacity: ratePerSecond, ratePerSecond: ratePerSecond, tokens: tokens, updated: now)
            limited.store(true, ordering: .releasing)
        }
    }
}
