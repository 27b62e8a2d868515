/// Why a pickle was refused. Every case carries the byte offset of the opcode being executed
/// (or of the end of input), so a log line can point at the offending byte.
public enum PickleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An opcode that imports, calls or builds Python objects (GLOBAL, STACK_GLOBAL, REDUCE,
    /// BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, PERSID, BINPERSID, NEXT_BUFFER,
    /// READONLY_BUFFER): refused by design, never executed.
    case forbiddenOpcode(name: String, offset: Int)
    /// A byte that is no pickle opcode at all.
    case unknownOpcode(UInt8, offset: Int)
    /// The input ended inside the opcode at `offset`, or before any STOP.
    case truncated(offset: Int)
    /// A length field declares more bytes than the input still holds. Raised before any
    /// allocation, so a pickle bomb cannot make us reserve what it claims.
    case lengthExceedsInput(opcode: String, offset: Int, declared: UInt64, available: Int)
    /// A malformed argument: bad number text, bad quoting, invalid UTF-8, negative length…
    case invalidArgument(opcode: String, offset: Int, reason: String)
    /// The opcode needs more stack items than there are above the innermost MARK.
    case stackUnderflow(opcode: String, offset: Int)
    /// The opcode pops to a MARK but there is none.
    case missingMark(opcode: String, offset: Int)
    /// The opcode works on a container of another kind (e.g. APPEND onto a dict).
    case wrongType(opcode: String, offset: Int, expected: String)
    /// A dict key or set element that Python could not hash (list, dict, set, or a tuple holding one).
    case unhashable(opcode: String, offset: Int)
    /// GET of a memo slot that was never PUT.
    case memoMissing(index: Int, offset: Int)
    /// PROTO with a version above 5.
    case unsupportedProtocol(Int, offset: Int)
    /// Nesting deeper than `PickleLimits.maxDepth` (containers, or MARKs open at once).
    case tooDeep(limit: Int, offset: Int)
    /// The decoded value would hold more than the element budget (see `PickleLimits`).
    case tooManyElements(limit: Int, offset: Int)
    /// More memo entries than `PickleLimits.maxMemoEntries`.
    case memoFull(limit: Int, offset: Int)
    /// A container that contains itself (through the memo); Python allows it, we cannot
    /// represent it as a value.
    case recursive(offset: Int)

    /// Offset in the input of the opcode (or end of input) the error is about.
    public var offset: Int {
        switch self {
        case .forbiddenOpcode(_, let offset), .unknownOpcode(_, let offset), .truncated(let offset),
             .lengthExceedsInput(_, let offset, _, _), .invalidArgument(_, let offset, _),
             .stackUnderflow(_, let offset), .missingMark(_, let offset), .wrongType(_, let offset, _),
             .unhashable(_, let offset), .memoMissing(_, let offset), .unsupportedProtocol(_, let offset),
             .tooDeep(_, let offset), .tooManyElements(_, let offset), .memoFull(_, let offset),
             .recursive(let offset):
            return offset
        }
    }

    /// A one-line human-readable explanation.
    public var message: String {
        switch self {
        case .forbiddenOpcode(let name, let offset):
            return "forbidden opcode \(name) at offset \(offset) (only data opcodes are accepted)"
        case .unknownOpcode(let byte, let offset):
            return "unknown opcode 0x\(String(byte, radix: 16)) at offset \(offset)"
        case .truncated(let offset):
            return "pickle truncated at offset \(offset)"
        case .lengthExceedsInput(let opcode, let offset, let declared, let available):
            return "\(opcode) at offset \(offset) declares \(declared) bytes but only \(available) remain"
        case .invalidArgument(let opcode, let offset, let reason):
            return "invalid \(opcode) argument at offset \(offset): \(reason)"
        case .stackUnderflow(let opcode, let offset):
            return "stack underflow in \(opcode) at offset \(offset)"
        case .missingMark(let opcode, let offset):
            return "\(opcode) at offset \(offset) found no MARK"
        case .wrongType(let opcode, let offset, let expected):
            return "\(opcode) at offset \(offset) expects a \(expected)"
        case .unhashable(let opcode, let offset):
            return "\(opcode) at offset \(offset) uses an unhashable key or element"
        case .memoMissing(let index, let offset):
            return "memo slot \(index) not found at offset \(offset)"
        case .unsupportedProtocol(let version, let offset):
            return "unsupported pickle protocol \(version) at offset \(offset)"
        case .tooDeep(let limit, let offset):
            return "nesting deeper than \(limit) at offset \(offset)"
        case .tooManyElements(let limit, let offset):
            return "more than \(limit) elements at offset \(offset)"
        case .memoFull(let limit, let offset):
            return "more than \(limit) memo entries at offset \(offset)"
        case .recursive(let offset):
            return "recursive container at offset \(offset)"
        }
    }

    public var description: String { message }
}
