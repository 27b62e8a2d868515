import StatsdCore
import Synchronization

/// An aggregation table one producer fills and the flush thread empties, behind a lock the
/// producer takes once per batch.
final class LockedTable: Sendable {
    private let table: Mutex<AggregationTable>

    init(maxKeys: Int) {
        table = Mutex(AggregationTable(maxKeys: maxKeys))
    }

    func withLock<T>(_ body: (inout AggregationTable) -> T) -> T {
        table.withLock { body(&$0) }
    }
}
