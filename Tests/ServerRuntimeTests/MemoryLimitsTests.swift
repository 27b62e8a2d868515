import ServerRuntime
import XCTest

final class MemoryLimitsTests: XCTestCase {
    private func files(_ contents: [String: String]) -> (String) -> String? { { contents[$0] } }

    func testCgroupV1MemoryHierarchyIsReadFirst() {
        let membership = "9:name=systemd:/\n4:memory:/box/inner\n0::/\n"
        let limit = MemoryLimits.cgroupLimit(membership: membership, read: files([
            "/sys/fs/cgroup/memory/box/inner/memory.limit_in_bytes": "314572800\n",
            "/sys/fs/cgroup/memory.max": "100\n",
        ]))
        XCTAssertEqual(limit, 314_572_800)
    }

    func testV1UnlimitedAndV2MaxMeanNoLimit() {
        XCTAssertNil(MemoryLimits.cgroupLimit(membership: "4:memory:/\n", read: files([
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
        ])))
        XCTAssertNil(MemoryLimits.cgroupLimit(membership: "0::/user.slice\n", read: files([
            "/sys/fs/cgroup/user.slice/memory.max": "max\n",
        ])))
    }

    func testCgroupV2UnifiedHierarchyInEitherMountPlace() {
        XCTAssertEqual(MemoryLimits.cgroupLimit(membership: "0::/svc\n", read: files(["/sys/fs/cgroup/svc/memory.max": "1048576"])), 1_048_576)
        XCTAssertEqual(MemoryLimits.cgroupLimit(membership: "0::/svc\n", read: files(["/sys/fs/cgroup/unified/svc/memory.max": "2048\n"])), 2048)
        XCTAssertNil(MemoryLimits.cgroupLimit(membership: "", read: files([:])))
    }

    func testTheEffectiveLimitIsTheSmallest() {
        XCTAssertEqual(MemoryLimits(cgroup: nil, physical: 8 << 30, addressSpace: nil).effective.source, "physical")
        XCTAssertEqual(MemoryLimits(cgroup: 1 << 30, physical: 8 << 30, addressSpace: nil).effective.bytes, 1 << 30)
        XCTAssertEqual(MemoryLimits(cgroup: 4 << 30, physical: 8 << 30, addressSpace: 2 << 30).effective.source, "rlimit_as")
        let here = MemoryLimits.current()
        XCTAssertGreaterThan(here.physical, 1 << 20)
        XCTAssertLessThanOrEqual(here.effective.bytes, here.physical)
    }
}
