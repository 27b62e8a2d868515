import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore
import Synchronization

/// MAX_RECEIVER_CONNECTIONS across the line and pickle receivers: a connection made while at
/// the limit is closed at once (counted), and every open one is tracked so a shutdown can
/// close them after their last read.
final class ConnectionLimiter: Sendable {
    let maximum: Int?
    let statistics: ReceiverStatistics
    private let open = Mutex<[ObjectIdentifier: Channel]>([:])

    init(maximum: Int?, statistics: ReceiverStatistics) {
        self.maximum = maximum
        self.statistics = statistics
    }

    /// Admits or refuses a new connection; admitted ones are released when they close.
    func admit(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = open.withLock { open -> Bool in
            if let maximum, open.count >= maximum { return false }
            open[id] = channel
            return true
        }
        guard admitted else {
            statistics.refusedConnections.add(1, ordering: .relaxed)
            return false
        }
        statistics.activeConnections.add(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { [self] _ in
            open.withLock { _ = $0.removeValue(forKey: id) }
            statistics.activeConnections.subtract(1, ordering: .relaxed)
        }
        return true
    }

    /// Closes every tracked connection.
    func closeAll() -> [EventLoopFuture<Void>] {
        open.withLock { Array($0.values) }.map { $0.close() }
    }
}
