/// A request's parameters: the URL's query string and, for a form POST, its body, in order,
/// as Django's `request.GET.copy(); update(request.POST)` gives graphite-web's views.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init() {}

    /// Parses `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte).
    public init(urlEncoded text: some Collection<UInt8>) {
        for field in text.split(separator: UInt8(ascii: "&")) where !field.isEmpty {
            let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
        }
    }

    public mutating func append(name: String, value: String) {
        pairs.append((name, value))
    }

    public mutating func append(contentsOf other: QueryParameters) {
        pairs += other.pairs
    }

    /// The last value given for `name` (Django's `QueryDict.get`).
    public subscript(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// Every value given for `name`, in order (`getlist`).
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    static func decode(_ raw: some Collection<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                      let high = raw.index(index, offsetBy: 1, limitedBy: raw.endIndex), high != raw.endIndex,
                      let low = raw.index(high, offsetBy: 1, limitedBy: raw.endIndex), low != raw.endIndex,
                      let h = hexValue(raw[high]), let l = hexValue(raw[low]) {
                bytes.append(h << 4 | l)
                index = low
            } else {
                bytes.append(byte)
            }
            index = raw.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
