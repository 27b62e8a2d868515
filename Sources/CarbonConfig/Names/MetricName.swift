/// A metric name parsed the way carbon's `TaggedSeries.parse` does, for its canonical
/// spelling: carbon stores, matches rules against and hashes the normalised name.
///
/// Two input forms:
/// * carbon: `name;tag=value;...` (each part split at its first `=`);
/// * OpenMetrics, when the name contains `{` and ends with `"}`:
///   `name{tag="value",tag2="v"}`, values with `\"` and `\\` escapes.
///
/// The `name` tag is the metric part with all leading `~` removed (overriding any explicit
/// `name=` tag). The normalised spelling is that name followed by `;tag=value` for every other
/// tag, sorted as whole `;tag=value` strings in byte order (so `;a-b=1` comes before `;a=1`).
/// Work happens on UTF-8 bytes: every separator is ASCII, and byte order is the code-point
/// order Python sorts by (Swift's `String <` would compare by canonical equivalence instead).
public struct MetricName: Hashable, Sendable {
    /// The metric part as received, leading `~` included.
    public let metric: String
    /// Every tag, including `name`.
    public let tags: [String: String]
    /// carbon's canonical spelling (`TaggedSeries.format`).
    public let normalized: String

    private static let nameTag = Array("name".utf8)

    /// Parses `raw`, throwing where carbon's parser raises.
    public init(parsing raw: String) throws(MetricNameError) {
        let bytes = Array(raw.utf8)
        var tags: [[UInt8]: [UInt8]]
        let metric: ArraySlice<UInt8>
        if Self.isOpenMetrics(bytes) {
            (metric, tags) = try Self.parseOpenMetrics(bytes, raw: raw)
        } else {
            (metric, tags) = try Self.parseCarbon(bytes, raw: raw)
        }
        let name = metric.drop { $0 == UInt8(ascii: "~") }
        guard !name.isEmpty else { throw .onlyTildes(name: String(decoding: metric, as: UTF8.self)) }
        tags[Self.nameTag] = Array(name)

        var others: [[UInt8]] = []
        for (tag, value) in tags where tag != Self.nameTag {
            others.append([UInt8(ascii: ";")] + tag + [UInt8(ascii: "=")] + value)
        }
        others.sort { $0.lexicographicallyPrecedes($1) }
        var normalized = Array(name)
        for part in others { normalized += part }

        self.metric = String(decoding: metric, as: UTF8.self)
        self.tags = Dictionary(uniqueKeysWithValues: tags.map {
            (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
        })
        self.normalized = String(decoding: normalized, as: UTF8.self)
    }

    /// The canonical spelling of `raw`, or `raw` itself when it does not parse (carbon keeps
    /// such names as received, e.g. `t.tagbad;=x`).
    public static func normalize(_ raw: String) -> String {
        // The common case, a plain dotted name, is its own normalised form.
        if !raw.utf8.contains(where: isTagSyntax) { return raw }
        return (try? MetricName(parsing: raw).normalized) ?? raw
    }

    /// Whether a name's bytes are the name it is stored under: no tag syntax at all, and no
    /// empty component to collapse (`EmptyComponents`).
    @inline(__always)
    public static func isStoredAsReceived(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.contains(where: isTagSyntax) && !EmptyComponents.present(bytes)
    }

    @inline(__always)
    private static func isTagSyntax(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ";") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "~")
    }

    /// carbon's test: ends with `"}` and contains `{`.
    private static func isOpenMetrics(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: "\"") && bytes[bytes.count - 1] == UInt8(ascii: "}")
            && bytes.contains(UInt8(ascii: "{"))
    }

    /// `metric;tag=value;...`: every part after the first must be `tag=value`.
    private static func parseCarbon(_ bytes: [UInt8], raw: String) throws(MetricNameError)
        -> (ArraySlice<UInt8>, [[UInt8]: [UInt8]])
    {
        let parts = bytes.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        let metric = parts[0]
        guard !metric.isEmpty else { throw .noMetric(name: raw) }
        var tags: [[UInt8]: [UInt8]] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")), equals > part.startIndex else {
                throw .invalidSegment(name: raw, segment: String(decoding: part, as: UTF8.self))
            }
            let tag = Array(part[..<equals])
            let value = Array(part[(equals + 1)...])
            try validate(tag: tag, value: value, raw: raw)
            tags[tag] = value
        }
        return (metric, tags)
    }

    /// `metric{tag="value",...}`, following carbon's expression
    /// `([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)` applied repeatedly to the text between the
    /// braces; its `(:?,|$)` typo means a tag may also end with `:,`. Exactly one `{` is allowed.
    private static func parseOpenMetrics(_ bytes: [UInt8], raw: String) throws(MetricNameError)
        -> (ArraySlice<UInt8>, [[UInt8]: [UInt8]])
    {
        let inner = bytes.dropLast()
        let pieces = inner.split(separator: UInt8(ascii: "{"), omittingEmptySubsequences: false)
        // Python's two-name unpacking of `split('{', 2)` fails for any other count.
        guard pieces.count == 2 else { throw .invalidSegment(name: raw, segment: String(decoding: inner, as: UTF8.self)) }
        let metric = pieces[0]
        guard !metric.isEmpty else { throw .noMetric(name: raw) }

        var rest = pieces[1]
        var tags: [[UInt8]: [UInt8]] = [:]
        while !rest.isEmpty {
            let invalid = MetricNameError.invalidSegment(name: raw, segment: String(decoding: rest, as: UTF8.self))
            guard let equals = rest.firstIndex(of: UInt8(ascii: "=")), equals > rest.startIndex,
                  equals + 1 < rest.endIndex, rest[equals + 1] == UInt8(ascii: "\"")
            else { throw invalid }
            let tag = Array(rest[..<equals])
            // The quoted value: escape pairs \" and \\, or anything but " and \.
            var index = equals + 2
            var escaped: [UInt8] = []
            while index < rest.endIndex {
                let byte = rest[index]
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < rest.endIndex,
                          rest[index + 1] == UInt8(ascii: "\"") || rest[index + 1] == UInt8(ascii: "\\")
                    else { break }
                    escaped += [byte, rest[index + 1]]
                    index += 2
                } else if byte == UInt8(ascii: "\"") {
                    break
                } else {
                    escaped.append(byte)
                    index += 1
                }
            }
            guard !escaped.isEmpty, index < rest.endIndex, rest[index] == UInt8(ascii: "\"") else { throw invalid }
            index += 1
            // The separator: `,` or `:,`, or the end of the text.
            if index < rest.endIndex, rest[index] == UInt8(ascii: ",") {
                index += 1
            } else if index + 1 < rest.endIndex, rest[index] == UInt8(ascii: ":"), rest[index + 1] == UInt8(ascii: ",") {
                index += 2
            } else if index != rest.endIndex {
                throw invalid
            }
            let value = unescape(escaped)
            try validate(tag: tag, value: value, raw: raw)
            tags[tag] = value
            rest = rest[index...]
        }
        return (metric, tags)
    }

    /// carbon's two successive replacements, `\"` → `"` and then `\\` → `\`.
    private static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        func replacePairs(_ input: [UInt8], second: UInt8) -> [UInt8] {
            var output: [UInt8] = []
            var index = 0
            while index < input.count {
                if input[index] == UInt8(ascii: "\\"), index + 1 < input.count, input[index + 1] == second {
                    output.append(second)
                    index += 2
                } else {
                    output.append(input[index])
                    index += 1
                }
            }
            return output
        }
        return replacePairs(replacePairs(bytes, second: UInt8(ascii: "\"")), second: UInt8(ascii: "\\"))
    }

    /// carbon's `validateTagAndValue`.
    private static func validate(tag: [UInt8], value: [UInt8], raw: String) throws(MetricNameError) {
        let tagText = String(decoding: tag, as: UTF8.self)
        guard !tag.isEmpty else { throw .invalidSegment(name: raw, segment: "=" + String(decoding: value, as: UTF8.self)) }
        guard !value.isEmpty else { throw .emptyValue(name: raw, tag: tagText) }
        for character in ";!^=" where tag.contains(character.asciiValue!) {
            throw .prohibitedCharacter(name: raw, tag: tagText, character: character)
        }
        guard !value.contains(UInt8(ascii: ";")) else { throw .semicolonInValue(name: raw, tag: tagText) }
        guard value[0] != UInt8(ascii: "~") else { throw .valueStartsWithTilde(name: raw, tag: tagText) }
    }
}
