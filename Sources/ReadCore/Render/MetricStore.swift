import CarbonCache
import CarbonConfig
import Glibc
import Whisper

/// Where the read API finds a metric's data: its whisper file and the points of it still in the
/// cache (what graphite-web gets from the file plus carbonlink), and, for a name whose file is
/// not created yet, the layout its storage rules will give it.
public struct MetricStore: Sendable {
    /// The metric's file path (throws for a name that can never be a file).
    public var filePath: @Sendable (String) throws -> String
    /// The points of a metric still in the cache, in the order carbonlink answers them.
    public var cachedPoints: @Sendable (String) -> [CachedPoint]
    /// The layout a new file of this metric gets (storage-schemas.conf and
    /// storage-aggregation.conf as now loaded).
    public var newFileLayout: @Sendable (String) -> NewFileLayout

    public init(filePath: @escaping @Sendable (String) throws -> String,
                cachedPoints: @escaping @Sendable (String) -> [CachedPoint],
                newFileLayout: @escaping @Sendable (String) -> NewFileLayout) {
        self.filePath = filePath
        self.cachedPoints = cachedPoints
        self.newFileLayout = newFileLayout
    }

    /// One fetched series: graphite's `(start, end, step), values`.
    public struct Series: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var step: Int
        public var values: [Double?]
    }

    /// graphite-web's `WhisperReader.fetch` (docs/reads.md §4): `whisper.fetch` of the file,
    /// then the cache's points merged in. A name with no file yet is fetched as its empty file
    /// would be. nil where whisper returns nothing (a window outside the retention) or the file
    /// cannot be read.
    public func fetch(_ metric: String, onDisk: Bool, from: Int, until: Int, now: Int) -> Series? {
        let header: WhisperHeader
        var values: [Double?]
        let window: WhisperFetchWindow
        if onDisk {
            guard let path = try? filePath(metric), let file = try? WhisperFile.open(path: path, writable: false),
                  let found = try? WhisperFetchWindow(header: file.header, from: from, until: until, now: now),
                  let fetched = try? file.fetch(found) else { return nil }
            header = file.header
            window = found
            values = fetched.values
        } else {
            let layout = newFileLayout(metric)
            header = WhisperHeader(archives: layout.archives, xFilesFactor: Float(layout.xFilesFactor),
                                   aggregationMethod: layout.aggregationMethod)
            guard let empty = try? WhisperFetchWindow(header: header, from: from, until: until, now: now) else { return nil }
            window = empty
            values = Array(repeating: nil, count: window.count)
        }
        CacheMerge.merge(cachedPoints(metric), into: &values, start: window.fromInterval, step: window.step,
                         method: header.aggregationMethod, rawStep: header.archives[0].secondsPerPoint)
        return Series(start: window.fromInterval, end: window.untilInterval, step: window.step, values: values)
    }

    /// Whether the metric's file exists.
    public func hasFile(_ metric: String) -> Bool {
        guard let path = try? filePath(metric) else { return false }
        return access(path, F_OK) == 0
    }

    /// graphite-web's `WhisperReader.get_intervals`: from `now − maxRetention` to the file's
    /// modification time (not before the start). A name only in the cache reaches `now`.
    public func interval(_ metric: String, onDisk: Bool, now: Double) -> (start: Double, end: Double)? {
        if !onDisk {
            let layout = newFileLayout(metric)
            let retention = layout.archives.map(\.retention).max() ?? 0
            return (now - Double(retention), now)
        }
        guard let path = try? filePath(metric), let file = try? WhisperFile.open(path: path, writable: false) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let start = now - Double(file.header.maxRetention)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return (start, max(modified, start))
    }
}
