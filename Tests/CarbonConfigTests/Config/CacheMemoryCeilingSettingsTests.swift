import ServerRuntime
import XCTest
@testable import CarbonConfig

final class CacheMemoryCeilingSettingsTests: XCTestCase {
    func testSpellings() throws {
        XCTAssertEqual(try CacheMemoryCeiling.parse("auto"), .auto)
        XCTAssertEqual(try CacheMemoryCeiling.parse("inf"), .unlimited)
        XCTAssertEqual(try CacheMemoryCeiling.parse("40%"), .fraction(0.4))
        XCTAssertEqual(try CacheMemoryCeiling.parse("512M"), .bytes(512 << 20))
        XCTAssertEqual(try CacheMemoryCeiling.parse("2g"), .bytes(2 << 30))
        XCTAssertEqual(try CacheMemoryCeiling.parse("1000"), .bytes(1000))
        for bad in ["", "0", "-1G", "150%", "0%", "lots", "1.5G", "99999999999999T"] {
            XCTAssertThrowsError(try CacheMemoryCeiling.parse(bad), bad)
        }
        let settings = try CarbonSettings.from(values: ["max_cache_memory": "256M"], fileName: "stoker.conf", configDirectory: ".").settings
        XCTAssertEqual(settings.maxCacheMemory, .bytes(256 << 20))
        XCTAssertEqual(CarbonSettings().maxCacheMemory, .auto)
    }

    func testAutoIsHalfTheSmallestLimitUnlessMaxCacheSizeIsSet() {
        let cgroup = MemoryLimits(cgroup: 300 << 20, physical: 8 << 30, addressSpace: nil)
        XCTAssertEqual(CacheMemoryCeiling.auto.resolve(limits: cgroup, maxCacheSize: nil).bytes, 150 << 20)
        XCTAssertEqual(CacheMemoryCeiling.auto.resolve(limits: cgroup, maxCacheSize: nil).reason, "auto: 50% of cgroup 314572800")
        XCTAssertNil(CacheMemoryCeiling.auto.resolve(limits: cgroup, maxCacheSize: 1_000_000).bytes)
        let ulimit = MemoryLimits(cgroup: nil, physical: 8 << 30, addressSpace: 4 << 30)
        XCTAssertEqual(CacheMemoryCeiling.auto.resolve(limits: ulimit, maxCacheSize: nil).bytes, 1 << 30)
        XCTAssertEqual(CacheMemoryCeiling.fraction(0.25).resolve(limits: cgroup, maxCacheSize: 5).bytes, 75 << 20)
        XCTAssertEqual(CacheMemoryCeiling.bytes(123).resolve(limits: cgroup, maxCacheSize: 5).bytes, 123)
        XCTAssertNil(CacheMemoryCeiling.unlimited.resolve(limits: cgroup, maxCacheSize: nil).bytes)
    }
}
