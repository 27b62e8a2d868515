import Foundation
import StatsdCore

/// What statsd remembers across a graceful restart: gauge values and the set keys (the
/// reference starts from nothing, so every gauge reads 0 until it is sent again). Written after
/// the final flush, read before the first packet; written to a temporary file and renamed, so
/// a crash mid-write leaves the previous copy.
struct StatePersistence {
    struct Snapshot: Codable, Equatable {
        var gauges: [String: Double]
        var sets: [String: [String]]
    }

    let path: String

    func save(_ table: AggregationTable) throws {
        var gauges: [String: Double] = [:]
        for gauge in table.gauges where gauge.value.isFinite { gauges[gauge.name] = gauge.value }
        var sets: [String: [String]] = [:]
        for set in table.sets { sets[set.name] = set.members.sorted() }
        let data = try JSONEncoder().encode(Snapshot(gauges: gauges, sets: sets))
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// nil when there is no saved state.
    func load() throws -> Snapshot? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(Snapshot.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func restore(_ snapshot: Snapshot, into table: inout AggregationTable) {
        for (name, value) in snapshot.gauges.sorted(by: { $0.key < $1.key }) { table.setGauge(name, value) }
        for (name, members) in snapshot.sets.sorted(by: { $0.key < $1.key }) {
            if members.isEmpty { table.declareSet(name) }
            for member in members { table.addSetMember(name, member) }
        }
    }
}
