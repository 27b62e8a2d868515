/// JavaScript object property order, which statsd's output follows: keys that are canonical
/// array indices ("0", "5", "10"; below 2^32 - 1) first in ascending numeric order, then every
/// other key in first-insertion order.
public enum JavaScriptPropertyOrder {
    /// The array index a key denotes, or nil.
    public static func arrayIndex(_ key: String) -> UInt32? {
        let utf8 = key.utf8
        guard let first = utf8.first, utf8.count <= 10 else { return nil }
        if first == 0x30 { return utf8.count == 1 ? 0 : nil }
        var value: UInt64 = 0
        for b in utf8 {
            guard b &- 0x30 < 10 else { return nil }
            value = value * 10 + UInt64(b - 0x30)
        }
        return value < 4_294_967_295 ? UInt32(value) : nil
    }

    /// Indices of `keys` (given in insertion order) in property order.
    public static func order(_ keys: [String]) -> [Int] {
        var indexed: [(UInt32, Int)] = []
        var rest: [Int] = []
        rest.reserveCapacity(keys.count)
        for (i, key) in keys.enumerated() {
            if let index = arrayIndex(key) { indexed.append((index, i)) } else { rest.append(i) }
        }
        if indexed.isEmpty { return rest }
        indexed.sort { $0.0 < $1.0 }
        return indexed.map(\.1) + rest
    }
}
