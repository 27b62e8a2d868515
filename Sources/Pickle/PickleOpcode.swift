/// The one-byte opcodes of Python's pickle format, protocols 0-5, named as in `pickletools`.
/// Both the allowed data opcodes and the refused object-building ones are listed, so a refusal
/// can name what it refused.
enum PickleOpcode: UInt8 {
    // Protocol 0 and 1.
    case mark = 0x28, emptyTuple = 0x29, stop = 0x2E, pop = 0x30, popMark = 0x31, dup = 0x32
    case binBytes = 0x42, shortBinBytes = 0x43
    case float = 0x46, binFloat = 0x47, int = 0x49, binInt = 0x4A, binInt1 = 0x4B, long = 0x4C, binInt2 = 0x4D
    case none = 0x4E, persID = 0x50, binPersID = 0x51, reduce = 0x52
    case string = 0x53, binString = 0x54, shortBinString = 0x55, unicode = 0x56, binUnicode = 0x58
    case emptyList = 0x5D, append = 0x61, build = 0x62, global = 0x63, dict = 0x64, appends = 0x65
    case get = 0x67, binGet = 0x68, inst = 0x69, longBinGet = 0x6A, list = 0x6C, obj = 0x6F
    case put = 0x70, binPut = 0x71, longBinPut = 0x72, setItem = 0x73, tuple = 0x74, setItems = 0x75
    case emptyDict = 0x7D
    // Protocol 2.
    case proto = 0x80, newObj = 0x81, ext1 = 0x82, ext2 = 0x83, ext4 = 0x84
    case tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87, newTrue = 0x88, newFalse = 0x89, long1 = 0x8A, long4 = 0x8B
    // Protocol 4.
    case shortBinUnicode = 0x8C, binUnicode8 = 0x8D, binBytes8 = 0x8E, emptySet = 0x8F, addItems = 0x90
    case frozenSet = 0x91, newObjEx = 0x92, stackGlobal = 0x93, memoize = 0x94, frame = 0x95
    // Protocol 5.
    case byteArray8 = 0x96, nextBuffer = 0x97, readonlyBuffer = 0x98

    /// True for opcodes that import, call, construct or look up Python objects (or out-of-band
    /// buffers). Any of them would let a sender run code in a stock unpickler; carbon's safe
    /// unpickler ends up refusing all of them on Python 3, and so do we.
    var isForbidden: Bool {
        switch self {
        case .global, .stackGlobal, .reduce, .build, .inst, .obj, .newObj, .newObjEx,
             .ext1, .ext2, .ext4, .persID, .binPersID, .nextBuffer, .readonlyBuffer:
            return true
        default:
            return false
        }
    }

    /// The `pickletools` name, used in error messages so they match what `pickletools.dis` shows.
    var name: String {
        switch self {
        case .mark: return "MARK"
        case .emptyTuple: return "EMPTY_TUPLE"
        case .stop: return "STOP"
        case .pop: return "POP"
        case .popMark: return "POP_MARK"
        case .dup: return "DUP"
        case .binBytes: return "BINBYTES"
        case .shortBinBytes: return "SHORT_BINBYTES"
        case .float: return "FLOAT"
        case .binFloat: return "BINFLOAT"
        case .int: return "INT"
        case .binInt: return "BININT"
        case .binInt1: return "BININT1"
        case .long: return "LONG"
        case .binInt2: return "BININT2"
        case .none: return "NONE"
        case .persID: return "PERSID"
        case .binPersID: return "BINPERSID"
        case .reduce: return "REDUCE"
        case .string: return "STRING"
        case .binString: return "BINSTRING"
        case .shortBinString: return "SHORT_BINSTRING"
        case .unicode: return "UNICODE"
        case .binUnicode: return "BINUNICODE"
        case .emptyList: return "EMPTY_LIST"
        case .append: return "APPEND"
        case .build: return "BUILD"
        case .global: return "GLOBAL"
        case .dict: return "DICT"
        case .appends: return "APPENDS"
        case .get: return "GET"
        case .binGet: return "BINGET"
        case .inst: return "INST"
        case .longBinGet: return "LONG_BINGET"
        case .list: return "LIST"
        case .obj: return "OBJ"
        case .put: return "PUT"
        case .binPut: return "BINPUT"
        case .longBinPut: return "LONG_BINPUT"
        case .setItem: return "SETITEM"
        case .tuple: return "TUPLE"
        case .setItems: return "SETITEMS"
        case .emptyDict: return "EMPTY_DICT"
        case .proto: return "PROTO"
        case .newObj: return "NEWOBJ"
        case .ext1: return "EXT1"
        case .ext2: return "EXT2"
        case .ext4: return "EXT4"
        case .tuple1: return "TUPLE1"
        case .tuple2: return "TUPLE2"
        case .tuple3: return "TUPLE3"
        case .newTrue: return "NEWTRUE"
        case .newFalse: return "NEWFALSE"
        case .long1: return "LONG1"
        case .long4: return "LONG4"
        case .shortBinUnicode: return "SHORT_BINUNICODE"
        case .binUnicode8: return "BINUNICODE8"
        case .binBytes8: return "BINBYTES8"
        case .emptySet: return "EMPTY_SET"
        case .addItems: return "ADDITEMS"
        case .frozenSet: return "FROZENSET"
        case .newObjEx: return "NEWOBJ_EX"
        case .stackGlobal: return "STACK_GLOBAL"
        case .memoize: return "MEMOIZE"
        case .frame: return "FRAME"
        case .byteArray8: return "BYTEARRAY8"
        case .nextBuffer: return "NEXT_BUFFER"
        case .readonlyBuffer: return "READONLY_BUFFER"
        }
    }
}
