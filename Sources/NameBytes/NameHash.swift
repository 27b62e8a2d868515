/// The hash of a metric name's bytes, 8 bytes at a time: cheap enough to compute once per
/// received line and reuse for both the shard and the slot of a name table.
///
/// Names come from anyone who can send a datagram, and the tables are open addressing: with a
/// hash known in advance a sender could compute names that all land in one probe chain and
/// make every insert and lookup walk it (hash flooding). So the hash starts from a seed drawn
/// at random once per process (`seed`); nothing outside the process sees it, and the same
/// names land elsewhere in every run.
public enum NameHash {
    /// This process's seed: random bytes from the system's generator (getrandom), read once.
    public static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()

    /// The hash with this process's seed.
    @inlinable @inline(__always)
    public static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        hash(p, n, seed: seed)
    }

    /// The hash with a given seed (tests: a fixed one).
    @inlinable @inline(__always)
    public static func hash(_ p: UnsafeRawPointer, _ n: Int, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        // A full finaliser: every bit of the state reaches the low bits a table slot is taken
        // from, so names that differ only where a single multiply keeps the low bits equal
        // (the high bytes of the last word) do not share slots whatever the seed.
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    /// Runs `body` on a name's UTF-8 bytes (a valid pointer even when the name is empty: it
    /// is hashed and compared as zero bytes) and their hash: the way into a table looked up by
    /// bytes for a name held as a `String`.
    @inlinable
    public static func withHashedBytes<R>(of name: String, _ body: (UnsafeRawPointer, Int, UInt64) throws -> R) rethrows -> R {
        var copy = name
        return try copy.withUTF8 { buffer in
            let p = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return try body(p, buffer.count, hash(p, buffer.count))
        }
    }

    /// Whether `n` bytes at `a` and `b` are equal (names are short: no call into libc).
    @inlinable @inline(__always)
    public static func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
