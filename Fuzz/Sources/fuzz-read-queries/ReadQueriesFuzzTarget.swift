import CarbonCache
import CarbonConfig
import FuzzHarness
import ReadCore
import Whisper

/// The read API's parsers on what a client may send: the input is a URL query string (form
/// encoding, percent escapes) answered as `/metrics/find/`, `/render/` and `/tags/findSeries`
/// by the `ReadAPI` over a small name tree and tag index (no files), and the same text as one
/// path query, one tag expression list and a multipart body.
enum ReadQueriesFuzzTarget {
    static let api: ReadAPI = {
        let tree = MetricNameTree()
        tree.insert([("a.b.c", NameKinds.leafOnDisk), ("a.b.d", .leafInCache), ("a.x", .leafOnDisk), ("é.ü.z", .leafOnDisk),
                     ("a.b", .leafOnDisk)].map { (Array($0.0.utf8), $0.1) })
        let tags = TagIndex()
        for name in ["cpu;dc=eu;host=a", "cpu;dc=us;host=b", "mem;env=prod"] { tags.add(name) }
        let store = MetricStore(filePath: { "/nonexistent/" + $0 }, cachedPoints: { _ in [CachedPoint(timestamp: 1_700_000_000, value: 1)] },
                                newFileLayout: { _ in NewFileLayout(archives: [ArchiveSpec(secondsPerPoint: 10, points: 360)]) })
        var limits = APILimits()
        limits.maxSeriesPerRequest = 3
        limits.maxBraceVariants = 64
        return ReadAPI(tree: tree, tags: tags, store: store, limits: limits, clock: { 1_700_000_100 })
    }()

    static func run(_ input: FuzzInput) {
        let parameters = QueryParameters(urlEncoded: Array(input.bytes))
        for path in ["/metrics/find/", "/render/", "/tags/findSeries", "/tags/autoComplete/values", "/tags/host", "/metrics/index.json"] {
            for method in ["GET", "POST"] {
                guard let answer = api.answer(method: method, path: path, parameters: parameters) else {
                    fuzzCheck(false, "no answer for \(path)")
                    continue
                }
                fuzzCheck((200..<600).contains(answer.status), "status \(answer.status) for \(path)")
            }
        }
        guard let text = input.text else { return }
        if let pattern = try? PathPattern(text, variantLimit: 64) {
            if let found = try? api.tree.find(pattern, limit: 3) {
                fuzzCheck(found.filter(\.isLeaf).count <= 3, "more leaves than the limit")
            }
        }
        _ = try? api.tags.find(text.split(separator: "&").map(String.init))
        _ = try? GraphiteTime.parse(text, name: "from", now: 1_700_000_000)
        _ = MultipartForm.parse(Array(input.bytes), boundary: "b")
    }
}

@main
enum ReadQueriesFuzzMain {
    static func main() { FuzzDriver.run(ReadQueriesFuzzTarget.run) }
}
