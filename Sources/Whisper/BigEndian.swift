// Whisper stores every field big-endian with no padding, so fields sit at unaligned offsets.

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    func storeBigEndian(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }

    /// One 12-byte point: interval u32, value f64.
    @inline(__always)
    func storePoint(interval: Int, value: Double, at offset: Int) {
        storeBigEndian(UInt32(truncatingIfNeeded: interval), at: offset)
        storeBigEndian(value.bitPattern, at: offset + 4)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The interval of the 12-byte point at `offset`.
    @inline(__always)
    func loadInterval(at offset: Int) -> Int { Int(loadBigEndianUInt32(at: offset)) }

    /// The value of the 12-byte point at `offset`.
    @inline(__always)
    func loadValue(at offset: Int) -> Double { Double(bitPattern: loadBigEndianUInt64(at: offset + 4)) }
}
