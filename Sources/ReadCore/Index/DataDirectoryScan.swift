import CarbonConfig

/// Fills a `MetricNameTree` from the data directory at start (docs/reads.md §3), one directory
/// at a time (`DataDirectoryWalk`) so queries are answered while it runs.
public enum DataDirectoryScan {
    public typealias Progress = DataDirectoryWalk.Progress

    /// Walks `root` (which may not exist yet: nothing to add). `report` is called every
    /// `reportEvery` directories.
    @discardableResult
    public static func run(root: String, into tree: MetricNameTree, reportEvery: Int = 10_000,
                           report: (Progress) -> Void = { _ in }) -> Progress {
        DataDirectoryWalk.run(root: root, reportEvery: reportEvery, report: report) { directory, leaves in
            var batch: [(path: [UInt8], kind: NameKinds)] = []
            batch.reserveCapacity(leaves.count + 1)
            if !directory.isEmpty { batch.append((directory, .branch)) }
            for leaf in leaves { batch.append((leaf, .leafOnDisk)) }
            tree.insert(batch)
        }
    }
}
