import Pickle

/// `msgpack.dumps(value, use_bin_type=True)` as graphite-web writes its msgpack answers
/// (docs/reads.md §4): the smallest integer and string forms, floats as float 64, str as
/// msgpack str, bytes as bin, tuples as arrays.
public enum MessagePack {
    public static func encode(_ value: PickleValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func write(_ value: PickleValue, into out: inout [UInt8]) {
        switch value {
        case .none: out.append(0xC0)
        case let .bool(b): out.append(b ? 0xC3 : 0xC2)
        case let .int(i): integer(i, into: &out)
        case .bigInt: out.append(0xC0)
        case let .float(f):
            out.append(0xCB)
            bigEndian(f.bitPattern, into: &out)
        case let .string(s):
            let bytes = Array(s.utf8)
            header(bytes.count, fix: 0xA0, fixLimit: 32, eight: 0xD9, sixteen: 0xDA, thirtyTwo: 0xDB, into: &out)
            out += bytes
        case let .bytes(b):
            header(b.count, fix: nil, fixLimit: 0, eight: 0xC4, sixteen: 0xC5, thirtyTwo: 0xC6, into: &out)
            out += b
        case let .list(items), let .tuple(items), let .set(items):
            header(items.count, fix: 0x90, fixLimit: 16, eight: nil, sixteen: 0xDC, thirtyTwo: 0xDD, into: &out)
            for item in items { write(item, into: &out) }
        case let .dict(pairs):
            header(pairs.count, fix: 0x80, fixLimit: 16, eight: nil, sixteen: 0xDE, thirtyTwo: 0xDF, into: &out)
            for pair in pairs {
                write(pair.key, into: &out)
                write(pair.value, into: &out)
            }
        }
    }

    static func header(_ count: Int, fix: UInt8?, fixLimit: Int, eight: UInt8?, sixteen: UInt8, thirtyTwo: UInt8,
                       into out: inout [UInt8]) {
        if let fix, count < fixLimit {
            out.append(fix | UInt8(count))
        } else if let eight, count < 256 {
            out += [eight, UInt8(count)]
        } else if count < 65536 {
            out.append(sixteen)
            bigEndian(UInt16(count), into: &out)
        } else {
            out.append(thirtyTwo)
            bigEndian(UInt32(count), into: &out)
        }
    }

    static func integer(_ i: Int64, into out: inout [UInt8]) {
        switch i {
        case 0...127: out.append(UInt8(i))
        case -32 ..< 0: out.append(UInt8(bitPattern: Int8(i)))
        case 128...255: out += [0xCC, UInt8(i)]
        case 256...65535: out.append(0xCD); bigEndian(UInt16(i), into: &out)
        case 65536...0xFFFF_FFFF: out.append(0xCE); bigEndian(UInt32(i), into: &out)
        case 0x1_0000_0000...: out.append(0xCF); bigEndian(UInt64(i), into: &out)
        case -128 ..< -32: out += [0xD0, UInt8(bitPattern: Int8(i))]
        case -32768 ..< -128: out.append(0xD1); bigEndian(UInt16(bitPattern: Int16(i)), into: &out)
        case -2_147_483_648 ..< -32768: out.append(0xD2); bigEndian(UInt32(bitPattern: Int32(i)), into: &out)
        default: out.append(0xD3); bigEndian(UInt64(bitPattern: i), into: &out)
        }
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out += $0 }
    }
}
