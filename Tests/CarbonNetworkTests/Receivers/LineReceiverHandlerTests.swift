import Logging
import ServerRuntime
import XCTest
@testable import CarbonConfig
@testable import CarbonCache
@testable import CarbonWriter
@testable import CarbonNetwork

/// The plaintext receive path without a socket: reads fed to the handler as NIO would.
final class LineReceiverHandlerTests: XCTestCase {
    private func handler(_ cache: MetricCache, filters: MetricFilters? = nil,
                         statistics: ReceiverStatistics = .init()) -> LineReceiverHandler {
        let intake = MetricIntake(cache: cache, statistics: statistics, timestampResolution: 0, filters: filters,
                                  logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return LineReceiverHandler(intake: intake, maxLineLength: 1024, flowControl: nil)
    }

    private func feed(_ handler: LineReceiverHandler, _ reads: String...) {
        for read in reads { Array(read.utf8).withUnsafeBytes { handler.consume($0) } }
    }

    func testPlainTaggedAndBadLinesInOneReadKeepArrivalOrder() {
        let cache = MetricCache()
        let receiver = handler(cache)
        feed(receiver, """
            a.b 1 100
            a.b;z=1;y=2 2 100
            a.b 3 100
            a.b;y=2;z=1 4 100
            bad line
            c.d nan 100
            é.f 5 100
            a.b 6 1
            a.b 7 100\n
            """)
        // The same timestamp twice: the last received wins, across the batch and the tagged path.
        XCTAssertEqual(cache.points(of: "a.b"), [.init(timestamp: 100, value: 7), .init(timestamp: 1, value: 6)])
        XCTAssertEqual(cache.points(of: "a.b;y=2;z=1"), [.init(timestamp: 100, value: 4)])
        XCTAssertEqual(cache.points(of: "é.f"), [.init(timestamp: 100, value: 5)])
        XCTAssertEqual(cache.points(of: "c.d"), [])
        XCTAssertEqual(cache.size, 4)
    }

    /// carbon writes `.a.b`, `a..b` and `a.b.` to `a/b.wsp`: those points are `a.b`'s, stored
    /// in arrival order with the plain lines around them and counted; tagged names keep their
    /// spelling (their file is the hash of it).
    func testNamesWithEmptyComponentsAreStoredUnderTheCollapsedName() {
        let cache = MetricCache()
        let statistics = ReceiverStatistics()
        let receiver = handler(cache, statistics: statistics)
        feed(receiver, """
            a.b 1 100
            .a.b 2 110
            a..b 3 120
            a.b. 4 130
            ..a...b.. 5 140
            x..y;t=1 6 100
            ... 7 100
            a.b 8 150

            """)
        XCTAssertEqual(cache.points(of: "a.b").sorted { $0.timestamp < $1.timestamp }.map(\.value), [1, 2, 3, 4, 5, 8])
        XCTAssertEqual(cache.points(of: "x..y;t=1"), [.init(timestamp: 100, value: 6)])
        XCTAssertEqual(cache.points(of: "..."), [.init(timestamp: 100, value: 7)], "nothing left to collapse to: refused at its path")
        XCTAssertEqual(statistics.snapshot.namesCollapsed, 4)
    }

    func testEmptyComponentsAreFoundAndCollapsed() {
        for (name, expected) in [("a.b", "a.b"), (".a", "a"), ("a.", "a"), ("a..b", "a.b"), ("..a...b..", "a.b"),
                                 ("a.b;c=d", "a.b;c=d"), ("a..b;c=d", "a..b;c=d"), ("..", ".."), ("", ""), ("é..f", "é.f")] {
            XCTAssertEqual(EmptyComponents.collapsed(name), expected, name)
        }
    }

    func testLinesSplitAcrossReadsAndFilters() {
        let cache = MetricCache()
        let receiver = handler(cache)
        feed(receiver, "x.y 1 1", "0\nx.y 2 ", "20\nx.y 3 30\n")
        XCTAssertEqual(cache.points(of: "x.y").map(\.timestamp), [10, 20, 30])

        let filtered = MetricCache()
        let blacklist = MetricFilters(whitelist: [],
                                      blacklist: MetricFilters.patterns(fromListText: "^secret\\.", fileName: "blacklist.conf").patterns)
        feed(handler(filtered, filters: blacklist), "secret.a 1 1\nopen.a 1 1\n")
        XCTAssertEqual(filtered.metricNames(), ["open.a"])
    }

    func testMinusOneIsNowAndBadTimestampsAreRefused() {
        let cache = MetricCache()
        let before = wallClockSeconds()
        feed(handler(cache), "m 1 -1\nm 2 inf\nm 3 1e300\n")
        let points = cache.points(of: "m")
        XCTAssertEqual(points.count, 1)
        XCTAssertGreaterThanOrEqual(points[0].timestamp, before.rounded(.down))
    }
}
