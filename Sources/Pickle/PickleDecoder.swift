/// A safe unpickler: decodes protocols 0-5 but executes only data opcodes, like carbon's
/// `SafeUnpickler` on Python 3 (which in practice admits no global at all).
///
/// Accepted: PROTO, FRAME, STOP, MARK, POP, POP_MARK, DUP, the memo opcodes, NONE, booleans,
/// every integer, float, str, bytes and bytearray opcode, lists, tuples, dicts and sets
/// (EMPTY_SET/ADDITEMS/FROZENSET decode to `.set`). Refused with
/// `PickleError.forbiddenOpcode`: GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ,
/// NEWOBJ_EX, EXT1/2/4, PERSID, BINPERSID, NEXT_BUFFER, READONLY_BUFFER; any other byte is
/// `unknownOpcode`. So a Python-2 `set`, or `bytes` pickled with protocol < 3 (both need a
/// GLOBAL), are refused exactly as carbon refuses them.
///
/// Differences from CPython, all in the direction of refusing: a container that contains
/// itself, encoded surrogate code points, integer text in spellings no pickler writes, and
/// anything over `PickleLimits`. A bytearray decodes to `.bytes` (and is then accepted as a
/// dict key, which Python would not do).
///
/// Never traps on any input: all reads are bounds-checked and all lengths are compared with
/// the remaining input before use.
public struct PickleDecoder: Sendable {
    /// The bounds applied to every decode.
    public var limits: PickleLimits

    public init(limits: PickleLimits = .default) {
        self.limits = limits
    }

    /// Decodes one pickle. Bytes after its STOP are ignored, as `pickle.loads` does.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> PickleValue {
        try decodePrefix(bytes).value
    }

    /// Decodes one pickle. Bytes after its STOP are ignored, as `pickle.loads` does.
    public func decode(_ bytes: [UInt8]) throws(PickleError) -> PickleValue {
        try decodePrefix(bytes).value
    }

    /// Decodes the pickle at the start of `bytes`; `consumed` is the offset just past its STOP.
    public func decodePrefix(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> (value: PickleValue, consumed: Int) {
        var machine = PickleMachine(input: bytes, limits: limits)
        return try machine.run()
    }

    /// Decodes the pickle at the start of `bytes`; `consumed` is the offset just past its STOP.
    public func decodePrefix(_ bytes: [UInt8]) throws(PickleError) -> (value: PickleValue, consumed: Int) {
        // withUnsafeBytes is rethrows, not typed-throws: carry the error out in a Result.
        let result: Result<(value: PickleValue, consumed: Int), PickleError> = bytes.withUnsafeBytes { raw in
            do throws(PickleError) {
                return .success(try decodePrefix(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
