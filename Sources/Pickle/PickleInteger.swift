/// Arbitrary-size integer helpers in the representation LONG1/LONG4 use: little-endian
/// two's complement. Only what the codec needs (normalising, decimal text both ways, to
/// Double); no arithmetic library, and every loop is linear or bounded by a caller's limit.
enum PickleInteger {
    /// The value of a little-endian two's-complement byte string of any length: `.int` when
    /// it fits in Int64, otherwise `.bigInt` with redundant sign bytes removed.
    static func value(fromTwosComplement bytes: UnsafeRawBufferPointer) -> PickleValue {
        let length = minimalLength(bytes)
        if length == 0 { return .int(0) }
        if length <= 8 {
            let negative = bytes[length - 1] & 0x80 != 0
            var pattern: UInt64 = negative ? ~0 : 0
            for i in 0..<length {
                let shift = UInt64(8 * i)
                pattern = (pattern & ~(0xFF << shift)) | (UInt64(bytes[i]) << shift)
            }
            return .int(Int64(bitPattern: pattern))
        }
        return .bigInt(Array(bytes[0..<length]))
    }

    /// Same as above for an array (used by the encoder to normalise caller-built `.bigInt`).
    static func value(fromTwosComplement bytes: [UInt8]) -> PickleValue {
        bytes.withUnsafeBytes { value(fromTwosComplement: $0) }
    }

    /// Number of bytes left once sign-extension bytes that add nothing are dropped.
    /// 0 for an empty input (Python reads an empty LONG1 payload as 0).
    static func minimalLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var length = bytes.count
        while length > 1 {
            let last = bytes[length - 1], previous = bytes[length - 2]
            if (last == 0x00 && previous & 0x80 == 0) || (last == 0xFF && previous & 0x80 != 0) {
                length -= 1
            } else {
                break
            }
        }
        return length
    }

    /// The shortest little-endian two's-complement encoding of `value`, as Python's LONG1
    /// writes it (0 bytes for zero).
    static func minimalBytes(_ value: Int64) -> [UInt8] {
        if value == 0 { return [] }
        var bytes: [UInt8] = []
        var pattern = UInt64(bitPattern: value)
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: pattern))
            pattern >>= 8
        }
        let length = bytes.withUnsafeBytes { minimalLength($0) }
        return Array(bytes[0..<length])
    }

    /// Parses ASCII decimal digits (already validated, no sign) into a value, negated when
    /// `negative`. The caller bounds the digit count; the work is quadratic in it.
    static func value(decimalDigits digits: ArraySlice<UInt8>, negative: Bool) -> PickleValue {
        if digits.count <= 18 {
            var v: Int64 = 0
            for d in digits { v = v * 10 + Int64(d &- 0x30) }
            return .int(negative ? -v : v)
        }
        // Magnitude in base 2^32 limbs, least significant first.
        var limbs: [UInt32] = [0]
        var index = digits.startIndex
        while index < digits.endIndex {
            let chunkEnd = min(index + 9, digits.endIndex)
            var chunk: UInt64 = 0, scale: UInt64 = 1
            for d in digits[index..<chunkEnd] {
                chunk = chunk * 10 + UInt64(d &- 0x30)
                scale *= 10
            }
            var carry = chunk
            for i in limbs.indices {
                let product = UInt64(limbs[i]) * scale + carry
                limbs[i] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(truncatingIfNeeded: carry)) }
            index = chunkEnd
        }
        // Little-endian magnitude bytes plus one zero byte so the sign bit starts clear.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(limbs.count * 4 + 1)
        for limb in limbs {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift))) }
        }
        bytes.append(0)
        if negative { negateInPlace(&bytes) }
        return value(fromTwosComplement: bytes)
    }

    /// Two's-complement negation (invert, add one) over the whole width.
    static func negateInPlace(_ bytes: inout [UInt8]) {
        var carry: UInt16 = 1
        for i in bytes.indices {
            let sum = UInt16(~bytes[i]) + carry
            bytes[i] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
    }

    /// Sign and little-endian magnitude of a two's-complement byte string.
    static func signAndMagnitude(_ bytes: [UInt8]) -> (negative: Bool, magnitude: [UInt8]) {
        guard let last = bytes.last else { return (false, []) }
        var magnitude = bytes
        let negative = last & 0x80 != 0
        if negative { negateInPlace(&magnitude) }
        while magnitude.last == 0 { magnitude.removeLast() }
        return (negative, magnitude)
    }

    /// Decimal text of a two's-complement byte string, like Python's `repr(int)`.
    static func decimalString(fromTwosComplement bytes: [UInt8]) -> String {
        let (negative, magnitude) = signAndMagnitude(bytes)
        var limbs: [UInt32] = []
        var i = 0
        while i < magnitude.count {
            var limb: UInt32 = 0
            for j in 0..<4 where i + j < magnitude.count { limb |= UInt32(magnitude[i + j]) << UInt32(8 * j) }
            limbs.append(limb)
            i += 4
        }
        var groups: [UInt32] = []  // base 10^9, least significant first
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for k in limbs.indices.reversed() {
                let current = (remainder << 32) | UInt64(limbs[k])
                limbs[k] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            groups.append(UInt32(remainder))
            while limbs.last == 0 { limbs.removeLast() }
        }
        guard let top = groups.last else { return "0" }
        var text = negative ? "-" : ""
        text += String(top)
        for group in groups.dropLast().reversed() {
            let digits = String(group)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }

    /// Python's `float(int)`: correctly rounded, nil (OverflowError) beyond the double range.
    static func double(fromTwosComplement bytes: [UInt8]) -> Double? {
        let (_, magnitude) = signAndMagnitude(bytes)
        // 2^1024 overflows; checking the size first keeps the decimal conversion small.
        if magnitude.count > 128 { return nil }
        guard let d = Double(decimalString(fromTwosComplement: bytes)), d.isFinite else { return nil }
        return d
    }
}
