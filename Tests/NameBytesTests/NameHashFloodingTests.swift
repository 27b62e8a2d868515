import NameBytes
import XCTest

/// Hash flooding: names chosen to share one probe chain of an open-addressing name table (the
/// statsd tables and the cache place a name at `hash & mask`, then probe linearly). What a
/// sender can precompute under one seed must cost ordinary time under the process's own.
final class NameHashFloodingTests: XCTestCase {
    static let fixedSeed: UInt64 = 0x0123_4567_89AB_CDEF
    /// A table of 4096 slots, as the tables are at a few thousand names.
    static let mask = 4095

    private func hash(_ name: [UInt8], seed: UInt64) -> UInt64 {
        name.withUnsafeBytes { NameHash.hash($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, $0.count, seed: seed) }
    }

    /// Probes to insert every name into an empty linear-probing table of `mask + 1` slots: the
    /// tables' own placement rule.
    private func insertionProbes(_ names: [[UInt8]], seed: UInt64) -> Int {
        var used = [Bool](repeating: false, count: Self.mask + 1)
        var probes = 0
        for name in names {
            var slot = Int(truncatingIfNeeded: hash(name, seed: seed)) & Self.mask
            probes += 1
            while used[slot] {
                slot = (slot + 1) & Self.mask
                probes += 1
            }
            used[slot] = true
        }
        return probes
    }

    /// 400 names that all land in slot 0 under the fixed seed, found by trying names.
    private func collidingNames(count: Int) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var i = 0
        while found.count < count {
            let name = Array("flood.m\(i)".utf8)
            if Int(truncatingIfNeeded: hash(name, seed: Self.fixedSeed)) & Self.mask == 0 { found.append(name) }
            i += 1
        }
        return found
    }

    func testNamesCollidingUnderOneSeedCostOrdinaryProbesUnderTheProcesssSeed() {
        let flood = collidingNames(count: 400)
        let ordinary = (0..<400).map { Array("ordinary.metric.\($0)".utf8) }
        let underFixed = insertionProbes(flood, seed: Self.fixedSeed)
        let underProcess = insertionProbes(flood, seed: NameHash.seed)
        let baseline = insertionProbes(ordinary, seed: NameHash.seed)
        // Under the seed they were chosen for: one chain, 1 + 2 + ... + 400 probes (quadratic).
        XCTAssertEqual(underFixed, 400 * 401 / 2)
        // Under the process's seed: what ordinary names cost (about 1.05 probes a name at this
        // load), within a generous margin.
        XCTAssertLessThan(underProcess, 2 * max(baseline, 440), "flood \(underProcess) vs ordinary \(baseline)")
        XCTAssertNotEqual(NameHash.seed, Self.fixedSeed)
    }

    /// 15-byte names alike but for their last byte differ only in the top byte of the last,
    /// partial word: a multiply keeps the low bits of the state equal whatever the seed, so a
    /// finaliser that brought only a few high bits down (as the first version did) put all 256
    /// in one chain under every seed. The finaliser must spread them under any seed.
    func testNamesDifferingInTheirLastByteSpreadUnderEverySeed() {
        let family = (0..<256).map { i -> [UInt8] in Array("same.prefix.XY".utf8) + [UInt8(i)] }
        XCTAssertEqual(family[0].count, 15)
        for seed in [Self.fixedSeed, NameHash.seed, 0, .max] {
            XCTAssertLessThan(insertionProbes(family, seed: seed), 600, "seed \(seed)")
        }
    }

    func testTheProcessSeedIsUsedAndStable() {
        let name = Array("a.b.c".utf8)
        let withDefault = name.withUnsafeBytes { NameHash.hash($0.baseAddress!, $0.count) }
        XCTAssertEqual(withDefault, hash(name, seed: NameHash.seed))
        XCTAssertEqual(withDefault, name.withUnsafeBytes { NameHash.hash($0.baseAddress!, $0.count) })
    }
}
