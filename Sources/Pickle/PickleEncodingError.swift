/// Why `PickleEncoder` could not encode a value.
public enum PickleEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Python 3 pickles bytes, set and frozenset at protocol 2 through a GLOBAL + REDUCE
    /// (`_codecs.encode`, `__builtin__.set`); carbonlink answers never contain them, so the
    /// encoder refuses rather than emit object-constructing opcodes.
    case unsupported(String)
    /// Nesting deeper than the encoder's `maxDepth`.
    case tooDeep(limit: Int)

    public var description: String {
        switch self {
        case .unsupported(let kind): return "cannot pickle \(kind) with protocol 2 without a GLOBAL"
        case .tooDeep(let limit): return "value nested deeper than \(limit)"
        }
    }
}
