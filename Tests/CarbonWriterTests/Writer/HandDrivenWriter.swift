import Logging
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// A writer that is never started, over a one-shard cache, writing sparse files of 60 one-second
/// slots (sum) under `root`, and one worker the test drives by hand, as a writer thread's round
/// would.
func handDrivenWriter(root: String, openFileBudget: Int) -> (cache: MetricCache, writer: CacheWriter, worker: WriterWorker) {
    let layout = StorageLayout(path: { try MetricPath.filePath(for: $0, dataDirectory: root) },
                               newFile: { _ in NewFileLayout(archives: [.init(secondsPerPoint: 1, points: 60)], aggregationMethod: .sum) })
    var settings = WriterSettings(dataDirectory: root)
    settings.allocation = .sparse
    let cache = MetricCache(shardCount: 1)
    let writer = CacheWriter(cache: cache, settings: settings, layout: layout, logger: Logger(label: "test"))
    return (cache, writer, WriterWorker(writer: writer, shards: [0], openFileBudget: openFileBudget))
}
