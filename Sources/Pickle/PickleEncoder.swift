/// Writes protocol-2 pickles byte-for-byte as CPython 3's `pickle.dumps(obj, protocol=2)`
/// writes them, for the shapes carbonlink answers use (dicts, lists, tuples, str, int,
/// float, bool, None).
///
/// What CPython does and this mirrors: `PROTO 2`; every str, list, dict and non-empty tuple
/// is memoised right after it is built (BINPUT below index 256, LONG_BINPUT above); lists
/// and dicts are written empty and then filled: one element with APPEND/SETITEM, more in
/// MARK…APPENDS/SETITEMS batches of 1000 (a dict of exactly 1000·k items ends with an empty
/// MARK SETITEMS batch, as CPython's loop does); tuples of 1-3 items end in TUPLE1/2/3,
/// longer ones are MARK…TUPLE, `()` is EMPTY_TUPLE and not memoised; ints use BININT1,
/// BININT2, BININT by range and LONG1 (LONG4 past 255 bytes) beyond 32 bits; floats BINFLOAT.
///
/// The one deliberate difference: CPython memoises by object identity, so pickling the
/// *same* object twice writes a BINGET the second time. A `PickleValue` has no identity, so
/// every occurrence is written in full. Output is identical to Python's whenever the Python
/// object graph has no shared objects, which is the case for carbon's answers (each point
/// tuple is new, each name comes from its own unpickled request). Beware that CPython
/// shares some objects implicitly (the empty string, one-character Latin-1 strings,
/// interned literals), so `['x', 'x']` in Python source differs from ours by a BINGET; both
/// decode to the same value.
public struct PickleEncoder: Sendable {
    /// Deepest nesting accepted; the encoder recurses once per level.
    public var maxDepth: Int

    /// CPython's batch size for APPENDS and SETITEMS.
    static let batchSize = 1000

    public init(maxDepth: Int = 512) {
        self.maxDepth = maxDepth
    }

    /// `pickle.dumps(value, protocol=2)`.
    public func encode(_ value: PickleValue) throws(PickleEncodingError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(value, into: &output)
        return output
    }

    /// Appends `pickle.dumps(value, protocol=2)` to `output` (e.g. after a frame header).
    public func encode(_ value: PickleValue, into output: inout [UInt8]) throws(PickleEncodingError) {
        let originalCount = output.count
        var writer = Writer(output: output, maxDepth: maxDepth)
        output = []  // hand the storage over so appends do not copy it
        do {
            writer.output.append(contentsOf: [PickleOpcode.proto.rawValue, 2])
            try writer.save(value, depth: 0)
            writer.output.append(PickleOpcode.stop.rawValue)
            output = writer.output
        } catch {
            // Leave the caller's buffer as it was.
            writer.output.removeSubrange(originalCount...)
            output = writer.output
            throw error
        }
    }

    /// The state of one `encode` call: output and the next memo index.
    private struct Writer {
        var output: [UInt8]
        let maxDepth: Int
        var memoCount = 0

        init(output: [UInt8], maxDepth: Int) {
            self.output = output
            self.maxDepth = maxDepth
        }

        mutating func save(_ value: PickleValue, depth: Int) throws(PickleEncodingError) {
            guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
            switch value {
            case .none:
                output.append(PickleOpcode.none.rawValue)
            case .bool(let b):
                output.append(b ? PickleOpcode.newTrue.rawValue : PickleOpcode.newFalse.rawValue)
            case .int(let i):
                saveInt(i)
            case .bigInt(let bytes):
                switch PickleInteger.value(fromTwosComplement: bytes) {
                case .int(let i): saveInt(i)
                case .bigInt(let minimal): saveLong(minimal)
                default: saveInt(0)  // not reached: value(fromTwosComplement:) returns an integer
                }
            case .float(let d):
                output.append(PickleOpcode.binFloat.rawValue)
                let pattern = d.bitPattern
                for shift in stride(from: 56, through: 0, by: -8) {
                    output.append(UInt8(truncatingIfNeeded: pattern >> UInt64(shift)))
                }
            case .string(let s):
                // Protocol 2 has no wider string opcode (CPython fails too).
                guard s.utf8.count <= Int(UInt32.max) else { throw .unsupported("str over 4 GiB") }
                output.append(PickleOpcode.binUnicode.rawValue)
                appendUInt32(UInt32(truncatingIfNeeded: s.utf8.count))
                output.append(contentsOf: s.utf8)
                memoize()
            case .bytes:
                throw .unsupported("bytes")
            case .set:
                throw .unsupported("set")
            case .tuple(let items):
                try saveTuple(items, depth: depth)
            case .list(let items):
                output.append(PickleOpcode.emptyList.rawValue)
                memoize()
                if items.count == 1 {
                    try save(items[0], depth: depth + 1)
                    output.append(PickleOpcode.append.rawValue)
                } else if items.count > 1 {
                    var start = 0
                    while start < items.count {
                        let end = min(start + PickleEncoder.batchSize, items.count)
                        output.append(PickleOpcode.mark.rawValue)
                        for item in items[start..<end] { try save(item, depth: depth + 1) }
                        output.append(PickleOpcode.appends.rawValue)
                        start = end
                    }
                }
            case .dict(let pairs):
                output.append(PickleOpcode.emptyDict.rawValue)
                memoize()
                if pairs.count == 1 {
                    try save(pairs[0].key, depth: depth + 1)
                    try save(pairs[0].value, depth: depth + 1)
                    output.append(PickleOpcode.setItem.rawValue)
                } else if pairs.count > 1 {
                    // CPython loops while the last batch was full, hence a trailing empty
                    // batch when the count is a multiple of 1000.
                    var start = 0
                    var batch = 0
                    repeat {
                        let end = min(start + PickleEncoder.batchSize, pairs.count)
                        output.append(PickleOpcode.mark.rawValue)
                        for pair in pairs[start..<end] {
                            try save(pair.key, depth: depth + 1)
                            try save(pair.value, depth: depth + 1)
                        }
                        output.append(PickleOpcode.setItems.rawValue)
                        batch = end - start
                        start = end
                    } while batch == PickleEncoder.batchSize
                }
            }
        }

        mutating func saveTuple(_ items: [PickleValue], depth: Int) throws(PickleEncodingError) {
            if items.isEmpty {
                output.append(PickleOpcode.emptyTuple.rawValue)
                return
            }
            if items.count <= 3 {
                for item in items { try save(item, depth: depth + 1) }
                output.append(PickleOpcode.tuple1.rawValue + UInt8(items.count - 1))
            } else {
                output.append(PickleOpcode.mark.rawValue)
                for item in items { try save(item, depth: depth + 1) }
                output.append(PickleOpcode.tuple.rawValue)
            }
            memoize()
        }

        mutating func saveInt(_ i: Int64) {
            switch i {
            case 0...0xFF:
                output.append(PickleOpcode.binInt1.rawValue)
                output.append(UInt8(i))
            case 0x100...0xFFFF:
                output.append(PickleOpcode.binInt2.rawValue)
                output.append(UInt8(truncatingIfNeeded: i))
                output.append(UInt8(truncatingIfNeeded: i >> 8))
            case Int64(Int32.min)...Int64(Int32.max):
                output.append(PickleOpcode.binInt.rawValue)
                appendUInt32(UInt32(bitPattern: Int32(i)))
            default:
                saveLong(PickleInteger.minimalBytes(i))
            }
        }

        /// LONG1/LONG4 with a minimal two's-complement payload, as CPython writes.
        mutating func saveLong(_ bytes: [UInt8]) {
            if bytes.count < 256 {
                output.append(PickleOpcode.long1.rawValue)
                output.append(UInt8(bytes.count))
            } else {
                output.append(PickleOpcode.long4.rawValue)
                appendUInt32(UInt32(truncatingIfNeeded: bytes.count))
            }
            output.append(contentsOf: bytes)
        }

        mutating func memoize() {
            if memoCount < 256 {
                output.append(PickleOpcode.binPut.rawValue)
                output.append(UInt8(memoCount))
            } else {
                output.append(PickleOpcode.longBinPut.rawValue)
                appendUInt32(UInt32(truncatingIfNeeded: memoCount))
            }
            memoCount += 1
        }

        mutating func appendUInt32(_ v: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
        }
    }
}
