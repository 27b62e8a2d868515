import Foundation

/// When a request must give up (the `[api]` max_request_seconds limit); long walks check it
/// now and then.
public struct Deadline: Sendable {
    public let seconds: Double
    private let expires: Double?
    private let clock: @Sendable () -> Double

    public static let none = Deadline(seconds: .infinity, clock: { 0 })

    public init(seconds: Double, clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.seconds = seconds
        self.clock = clock
        expires = seconds.isFinite ? clock() + seconds : nil
    }

    public func hasExpired() -> Bool {
        guard let expires else { return false }
        return clock() >= expires
    }
}
