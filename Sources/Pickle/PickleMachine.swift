/// One decoding run: the pickle virtual machine restricted to data opcodes.
///
/// Every read is bounds-checked against the input before it happens, every length field is
/// compared with what remains before anything is allocated, and integer arithmetic on
/// input-derived numbers cannot overflow (sizes are compared, never added). Mutable
/// containers live in arenas (see `PickleNode`) and become `PickleValue`s only at STOP, where
/// the depth and element limits are checked on the final shape.
struct PickleMachine {
    private let input: UnsafeRawBufferPointer
    private let limits: PickleLimits
    private let elementBudget: Int

    private var position = 0
    private var opcodeOffset = 0
    private var opcode = PickleOpcode.stop
    /// Only needed for error messages, so computed on demand rather than per opcode.
    private var opcodeName: String { opcode.name }

    private var stack: [PickleNode] = []
    /// Stack heights at each open MARK; items below the innermost one are out of reach.
    private var marks: [Int] = []
    /// Memo slots 0..<count, the usual dense case (PUT/MEMOIZE number objects in order).
    private var memo: [PickleNode] = []
    /// Memo slots at indices beyond the dense run; always keyed >= memo.count.
    private var sparseMemo: [Int: PickleNode] = [:]

    private var lists: [[PickleNode]] = []
    private var dicts: [[(key: PickleNode, value: PickleNode)]] = []
    private var sets: [[PickleNode]] = []

    /// Materialisation state per arena entry: results are cached so a container referenced
    /// many times is converted once (and shares storage); `busy` detects cycles.
    private var listCache: [Int: (value: PickleValue, weight: Int, depth: Int)] = [:]
    private var dictCache: [Int: (value: PickleValue, weight: Int, depth: Int)] = [:]
    private var setCache: [Int: (value: PickleValue, weight: Int, depth: Int)] = [:]
    private var busyLists = Set<Int>(), busyDicts = Set<Int>(), busySets = Set<Int>()
    private var spent = 0

    init(input: UnsafeRawBufferPointer, limits: PickleLimits) {
        self.input = input
        self.limits = limits
        self.elementBudget = limits.elementBudget(forInputLength: input.count)
        self.containerBudget = limits.containerBudget(forInputLength: input.count)
    }

    /// Lists, dicts and sets made so far, against `containerBudget`.
    private var containers = 0
    private let containerBudget: Int

    /// A mutable container costs tens of bytes however empty: one opcode byte each would
    /// let a frame hold ~60 times its size in memory until the depth check at STOP.
    private mutating func countContainer() throws(PickleError) {
        containers += 1
        if containers > containerBudget { throw .tooManyElements(limit: containerBudget, offset: opcodeOffset) }
    }

    /// Runs to the first STOP. Returns the value and the number of bytes consumed
    /// (bytes after STOP are not looked at, as in Python's `pickle.loads`).
    mutating func run() throws(PickleError) -> (value: PickleValue, consumed: Int) {
        while true {
            opcodeOffset = position
            guard position < input.count else { throw .truncated(offset: position) }
            let byte = input[position]
            position += 1
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw .unknownOpcode(byte, offset: opcodeOffset)
            }
            self.opcode = opcode
            if opcode.isForbidden { throw .forbiddenOpcode(name: opcode.name, offset: opcodeOffset) }
            if opcode == .stop {
                let node = try pop()
                let result = try materialize(node, level: 0)
                return (result.value, position)
            }
            try execute(opcode)
        }
    }

    // MARK: - Opcodes

    private mutating func execute(_ opcode: PickleOpcode) throws(PickleError) {
        switch opcode {
        case .proto:
            let version = try readByte()
            if version > 5 { throw .unsupportedProtocol(Int(version), offset: opcodeOffset) }
        case .frame:
            // Frames only group opcodes for buffered reading; the content is read as usual.
            // A frame claiming more than the input holds is refused right away.
            let length = try readUInt64()
            try requireAvailable(length)

        case .mark:
            if marks.count >= limits.maxDepth { throw .tooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
            marks.append(stack.count)
        case .pop:
            // As CPython: with nothing above the innermost MARK, POP discards the MARK.
            if stack.count > fence {
                stack.removeLast()
            } else if !marks.isEmpty {
                marks.removeLast()
            } else {
                throw stackUnderflow()
            }
        case .popMark:
            _ = try popMark()
        case .dup:
            stack.append(try top())

        case .put:
            try putMemo(at: try readDecimalIndexLine())
        case .binPut:
            try putMemo(at: Int(try readByte()))
        case .longBinPut:
            try putMemo(at: Int(try readUInt32()))
        case .memoize:
            try putMemo(at: memo.count + sparseMemo.count)
        case .get:
            stack.append(try getMemo(at: try readDecimalIndexLine()))
        case .binGet:
            stack.append(try getMemo(at: Int(try readByte())))
        case .longBinGet:
            stack.append(try getMemo(at: Int(try readUInt32())))

        case .none:
            stack.append(.scalar(.none))
        case .newTrue:
            stack.append(.scalar(.bool(true)))
        case .newFalse:
            stack.append(.scalar(.bool(false)))
        case .int:
            let line = try readLine()
            // Protocol 0 spells booleans I01/I00 (Python 2.2 compatibility). CPython's test is
            // "two characters that read as 0 or 1", so "-0" and "+1" are booleans too.
            if line.count == 2, input[line.lowerBound] == 0x30, input[line.lowerBound + 1] == 0x30 || input[line.lowerBound + 1] == 0x31 {
                stack.append(.scalar(.bool(input[line.lowerBound + 1] == 0x31)))
            } else {
                let value = try parseDecimalInteger(line, allowLongSuffix: false)
                if line.count == 2, value == .int(0) || value == .int(1) {
                    stack.append(.scalar(.bool(value == .int(1))))
                } else {
                    stack.append(.scalar(value))
                }
            }
        case .long:
            stack.append(.scalar(try parseDecimalInteger(try readLine(), allowLongSuffix: true)))
        case .binInt:
            stack.append(.scalar(.int(Int64(Int32(bitPattern: try readUInt32())))))
        case .binInt1:
            stack.append(.scalar(.int(Int64(try readByte()))))
        case .binInt2:
            stack.append(.scalar(.int(Int64(try readUInt16()))))
        case .long1:
            let bytes = try readBytes(UInt64(try readByte()))
            stack.append(.scalar(PickleInteger.value(fromTwosComplement: bytes)))
        case .long4:
            let bytes = try readBytes(try readSignedLength())
            stack.append(.scalar(PickleInteger.value(fromTwosComplement: bytes)))
        case .float:
            let line = try readLine()
            guard let d = PythonFloatSyntax.parse(ascii: copy(line)[...], pythonFloatFunction: false) else {
                throw invalid("not a float")
            }
            stack.append(.scalar(.float(d)))
        case .binFloat:
            stack.append(.scalar(.float(Double(bitPattern: try readUInt64BigEndian()))))

        case .string:
            stack.append(.scalar(.string(try decodeQuotedString(try readLine()))))
        case .binString:
            stack.append(.scalar(.string(try utf8(try readBytes(try readSignedLength())))))
        case .shortBinString:
            stack.append(.scalar(.string(try utf8(try readBytes(UInt64(try readByte()))))))
        case .unicode:
            stack.append(.scalar(.string(try decodeRawUnicodeEscape(try readLine()))))
        case .binUnicode:
            stack.append(.scalar(.string(try utf8(try readBytes(UInt64(try readUInt32()))))))
        case .shortBinUnicode:
            stack.append(.scalar(.string(try utf8(try readBytes(UInt64(try readByte()))))))
        case .binUnicode8:
            stack.append(.scalar(.string(try utf8(try readBytes(try readUInt64())))))
        case .binBytes:
            stack.append(.scalar(.bytes(Array(try readBytes(UInt64(try readUInt32()))))))
        case .shortBinBytes:
            stack.append(.scalar(.bytes(Array(try readBytes(UInt64(try readByte()))))))
        case .binBytes8, .byteArray8:
            stack.append(.scalar(.bytes(Array(try readBytes(try readUInt64())))))

        case .emptyList:
            try countContainer()
            lists.append([])
            stack.append(.list(lists.count - 1))
        case .list:
            try countContainer()
            lists.append(try popMark())
            stack.append(.list(lists.count - 1))
        case .append:
            let item = try pop()
            guard case .list(let index) = try top() else { throw wrongType("list") }
            lists[index].append(item)
        case .appends:
            let items = try popMark()
            guard case .list(let index) = try top() else { throw wrongType("list") }
            lists[index].append(contentsOf: items)

        case .emptyTuple:
            stack.append(.value(.tuple([]), weight: 1, depth: 1))
        case .tuple:
            stack.append(try makeTuple(try popMark()))
        case .tuple1, .tuple2, .tuple3:
            let count = Int(opcode.rawValue - PickleOpcode.tuple1.rawValue) + 1
            guard stack.count - fence >= count else { throw stackUnderflow() }
            // The hot path of every carbon batch: (name, (timestamp, value)). When all items
            // are finished values, build the frozen tuple straight from the stack, with no
            // intermediate node array.
            let base = stack.count - count
            if let frozenTuple = try frozenTuple(from: base) {
                for _ in 0..<count { stack.removeLast() }
                stack.append(frozenTuple)
            } else {
                let items = Array(stack[base...])
                for _ in 0..<count { stack.removeLast() }
                stack.append(try makeTuple(items))
            }

        case .emptyDict:
            try countContainer()
            dicts.append([])
            stack.append(.dict(dicts.count - 1))
        case .dict:
            try countContainer()
            dicts.append(try pairs(try popMark()))
            stack.append(.dict(dicts.count - 1))
        case .setItem:
            let value = try pop()
            let key = try pop()
            guard case .dict(let index) = try top() else { throw wrongType("dict") }
            guard key.isHashable else { throw PickleError.unhashable(opcode: opcodeName, offset: opcodeOffset) }
            dicts[index].append((key: key, value: value))
        case .setItems:
            let items = try pairs(try popMark())
            guard case .dict(let index) = try top() else { throw wrongType("dict") }
            dicts[index].append(contentsOf: items)

        case .emptySet:
            try countContainer()
            sets.append([])
            stack.append(.set(sets.count - 1))
        case .addItems:
            let items = try popMark()
            guard case .set(let index) = try top() else { throw wrongType("set") }
            guard items.allSatisfy(\.isHashable) else { throw PickleError.unhashable(opcode: opcodeName, offset: opcodeOffset) }
            sets[index].append(contentsOf: items)
        case .frozenSet:
            let items = try popMark()
            var values: [PickleValue] = []
            values.reserveCapacity(items.count)
            var weight = 1, depth = 0
            for item in items {
                guard case .value(let v, let w, let d) = item else {
                    throw PickleError.unhashable(opcode: opcodeName, offset: opcodeOffset)
                }
                values.append(v)
                weight = try addWeight(weight, w)
                depth = max(depth, d)
            }
            stack.append(try frozen(.set(values), weight: weight, depth: depth + 1))

        case .stop, .global, .stackGlobal, .reduce, .build, .inst, .obj, .newObj, .newObjEx,
             .ext1, .ext2, .ext4, .persID, .binPersID, .nextBuffer, .readonlyBuffer:
            // Handled (STOP) or refused (the rest) by `run` before dispatch.
            throw .forbiddenOpcode(name: opcodeName, offset: opcodeOffset)
        }
    }

    // MARK: - Stack

    private var fence: Int { marks.last ?? 0 }

    private mutating func pop() throws(PickleError) -> PickleNode {
        guard stack.count > fence else { throw stackUnderflow() }
        return stack.removeLast()
    }

    private func top() throws(PickleError) -> PickleNode {
        guard stack.count > fence, let last = stack.last else { throw stackUnderflow() }
        return last
    }

    private mutating func popMark() throws(PickleError) -> [PickleNode] {
        guard let mark = marks.popLast() else { throw .missingMark(opcode: opcodeName, offset: opcodeOffset) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    /// Builds a tuple: frozen into a value when nothing inside can still change.
    private func makeTuple(_ items: [PickleNode]) throws(PickleError) -> PickleNode {
        var depth = 0
        var allFrozen = true
        for item in items {
            depth = max(depth, item.depth)
            if case .value = item {} else { allFrozen = false }
        }
        depth += 1
        guard depth <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
        guard allFrozen else { return .tuple(items, depth: depth) }
        var values: [PickleValue] = []
        values.reserveCapacity(items.count)
        var weight = 1
        for case .value(let v, let w, _) in items {
            values.append(v)
            weight = try addWeight(weight, w)
        }
        return try frozen(.tuple(values), weight: weight, depth: depth)
    }

    /// The tuple of the finished values `stack[base...]`, or nil if any item is not finished.
    private func frozenTuple(from base: Int) throws(PickleError) -> PickleNode? {
        var values: [PickleValue] = []
        values.reserveCapacity(stack.count - base)
        var weight = 1, depth = 0
        for i in base..<stack.count {
            guard case .value(let v, let w, let d) = stack[i] else { return nil }
            values.append(v)
            weight = try addWeight(weight, w)
            depth = max(depth, d)
        }
        return try frozen(.tuple(values), weight: weight, depth: depth + 1)
    }

    private func frozen(_ value: PickleValue, weight: Int, depth: Int) throws(PickleError) -> PickleNode {
        guard depth <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
        guard weight <= elementBudget else { throw .tooManyElements(limit: elementBudget, offset: opcodeOffset) }
        return .value(value, weight: weight, depth: depth)
    }

    private func addWeight(_ a: Int, _ b: Int) throws(PickleError) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow, sum <= elementBudget else {
            throw .tooManyElements(limit: elementBudget, offset: opcodeOffset)
        }
        return sum
    }

    /// Key/value pairs from a MARKed run (DICT, SETITEMS).
    private func pairs(_ items: [PickleNode]) throws(PickleError) -> [(key: PickleNode, value: PickleNode)] {
        guard items.count % 2 == 0 else { throw invalid("odd number of items") }
        var result: [(key: PickleNode, value: PickleNode)] = []
        result.reserveCapacity(items.count / 2)
        var i = 0
        while i < items.count {
            guard items[i].isHashable else { throw PickleError.unhashable(opcode: opcodeName, offset: opcodeOffset) }
            result.append((key: items[i], value: items[i + 1]))
            i += 2
        }
        return result
    }

    // MARK: - Memo

    private mutating func putMemo(at index: Int) throws(PickleError) {
        let node = try top()
        if index < memo.count {
            memo[index] = node
            return
        }
        if index == memo.count {
            // Checking isEmpty first skips hashing in the usual all-dense case.
            let replaced = !sparseMemo.isEmpty && sparseMemo.removeValue(forKey: index) != nil
            memo.append(node)
            if replaced { return }
        } else {
            if sparseMemo.updateValue(node, forKey: index) != nil { return }
        }
        if memo.count + sparseMemo.count > limits.maxMemoEntries {
            throw .memoFull(limit: limits.maxMemoEntries, offset: opcodeOffset)
        }
    }

    private func getMemo(at index: Int) throws(PickleError) -> PickleNode {
        if index < memo.count { return memo[index] }
        guard let node = sparseMemo[index] else { throw .memoMissing(index: index, offset: opcodeOffset) }
        return node
    }

    // MARK: - Materialisation

    /// Converts a node to a value at nesting `level`, charging every value to the element
    /// budget each time it appears, so shared references cannot multiply the result unseen.
    private mutating func materialize(_ node: PickleNode, level: Int) throws(PickleError) -> (value: PickleValue, depth: Int) {
        switch node {
        case .value(let value, let weight, let depth):
            try charge(weight, depth: depth, level: level)
            return (value, depth)
        case .tuple(let items, _):
            try charge(1, depth: 1, level: level)
            var values: [PickleValue] = []
            values.reserveCapacity(items.count)
            var depth = 0
            for item in items {
                let child = try materialize(item, level: level + 1)
                values.append(child.value)
                depth = max(depth, child.depth)
            }
            return (.tuple(values), depth + 1)
        case .list(let index):
            if let cached = listCache[index] {
                try charge(cached.weight, depth: cached.depth, level: level)
                return (cached.value, cached.depth)
            }
            guard busyLists.insert(index).inserted else { throw .recursive(offset: opcodeOffset) }
            let before = spent
            try charge(1, depth: 1, level: level)
            var values: [PickleValue] = []
            values.reserveCapacity(lists[index].count)
            var depth = 0
            for item in lists[index] {
                let child = try materialize(item, level: level + 1)
                values.append(child.value)
                depth = max(depth, child.depth)
            }
            busyLists.remove(index)
            let result = (value: PickleValue.list(values), weight: spent - before, depth: depth + 1)
            listCache[index] = result
            return (result.value, result.depth)
        case .dict(let index):
            if let cached = dictCache[index] {
                try charge(cached.weight, depth: cached.depth, level: level)
                return (cached.value, cached.depth)
            }
            guard busyDicts.insert(index).inserted else { throw .recursive(offset: opcodeOffset) }
            let before = spent
            try charge(1, depth: 1, level: level)
            var pairs: [(key: PickleValue, value: PickleValue)] = []
            pairs.reserveCapacity(dicts[index].count)
            var depth = 0
            for pair in dicts[index] {
                let key = try materialize(pair.key, level: level + 1)
                let value = try materialize(pair.value, level: level + 1)
                pairs.append((key: key.value, value: value.value))
                depth = max(depth, key.depth, value.depth)
            }
            busyDicts.remove(index)
            let result = (value: PickleValue.dict(pairs), weight: spent - before, depth: depth + 1)
            dictCache[index] = result
            return (result.value, result.depth)
        case .set(let index):
            if let cached = setCache[index] {
                try charge(cached.weight, depth: cached.depth, level: level)
                return (cached.value, cached.depth)
            }
            // Set elements are hashable, hence finished values: no recursion into arenas.
            guard busySets.insert(index).inserted else { throw .recursive(offset: opcodeOffset) }
            let before = spent
            try charge(1, depth: 1, level: level)
            var values: [PickleValue] = []
            values.reserveCapacity(sets[index].count)
            var depth = 0
            for item in sets[index] {
                let child = try materialize(item, level: level + 1)
                values.append(child.value)
                depth = max(depth, child.depth)
            }
            busySets.remove(index)
            let result = (value: PickleValue.set(values), weight: spent - before, depth: depth + 1)
            setCache[index] = result
            return (result.value, result.depth)
        }
    }

    private mutating func charge(_ weight: Int, depth: Int, level: Int) throws(PickleError) {
        // level and depth are both bounded by maxDepth here, so the sum cannot overflow.
        guard level + depth <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
        let (sum, overflow) = spent.addingReportingOverflow(weight)
        guard !overflow, sum <= elementBudget else {
            throw .tooManyElements(limit: elementBudget, offset: opcodeOffset)
        }
        spent = sum
    }

    // MARK: - Reading

    private var remaining: Int { input.count - position }

    private func requireAvailable(_ length: UInt64) throws(PickleError) {
        if length > UInt64(remaining) {
            throw .lengthExceedsInput(opcode: opcodeName, offset: opcodeOffset, declared: length, available: remaining)
        }
    }

    private mutating func readByte() throws(PickleError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(offset: opcodeOffset) }
        defer { position += 1 }
        return input[position]
    }

    private mutating func readLittleEndian(_ count: Int) throws(PickleError) -> UInt64 {
        guard remaining >= count else { throw .truncated(offset: opcodeOffset) }
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(input[position + i]) << UInt64(8 * i) }
        position += count
        return value
    }

    private mutating func readUInt16() throws(PickleError) -> UInt16 { UInt16(try readLittleEndian(2)) }
    private mutating func readUInt32() throws(PickleError) -> UInt32 { UInt32(try readLittleEndian(4)) }
    private mutating func readUInt64() throws(PickleError) -> UInt64 { try readLittleEndian(8) }

    /// BINFLOAT is the only big-endian field.
    private mutating func readUInt64BigEndian() throws(PickleError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(offset: opcodeOffset) }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(input[position + i]) }
        position += 8
        return value
    }

    /// The signed 4-byte length of BINSTRING and LONG4; negative is an error as in CPython.
    private mutating func readSignedLength() throws(PickleError) -> UInt64 {
        let length = Int32(bitPattern: try readUInt32())
        guard length >= 0 else { throw invalid("negative byte count") }
        return UInt64(length)
    }

    /// A length-prefixed payload; the length is checked against the input first.
    private mutating func readBytes(_ length: UInt64) throws(PickleError) -> UnsafeRawBufferPointer {
        try requireAvailable(length)
        let count = Int(length)  // <= remaining, so it fits
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: input[position..<(position + count)])
    }

    /// The text up to the next newline (excluded); protocol-0 arguments.
    private mutating func readLine() throws(PickleError) -> Range<Int> {
        var end = position
        while end < input.count, input[end] != 0x0A { end += 1 }
        guard end < input.count else { throw .truncated(offset: opcodeOffset) }
        defer { position = end + 1 }
        return position..<end
    }

    private func copy(_ range: Range<Int>) -> [UInt8] { Array(input[range]) }

    // MARK: - Argument parsing

    private func invalid(_ reason: String) -> PickleError {
        .invalidArgument(opcode: opcodeName, offset: opcodeOffset, reason: reason)
    }

    private func stackUnderflow() -> PickleError { .stackUnderflow(opcode: opcodeName, offset: opcodeOffset) }

    private func wrongType(_ expected: String) -> PickleError {
        .wrongType(opcode: opcodeName, offset: opcodeOffset, expected: expected)
    }

    /// Strict UTF-8 (Python's decoder, minus `surrogatepass`: a Swift String cannot hold a
    /// lone surrogate, so encoded surrogates are refused).
    private func utf8(_ bytes: UnsafeRawBufferPointer) throws(PickleError) -> String {
        let text = bytes.withMemoryRebound(to: UInt8.self) { buffer -> String? in
            // Metric names are ASCII: that check is cheaper than general validation, and
            // ASCII is valid UTF-8, so decoding it cannot repair anything.
            if buffer.allSatisfy({ $0 < 0x80 }) { return String(decoding: buffer, as: UTF8.self) }
            return String(validating: buffer, as: UTF8.self)
        }
        guard let text else { throw invalid("invalid UTF-8") }
        return text
    }

    /// PUT/GET text argument: decimal digits only.
    private mutating func readDecimalIndexLine() throws(PickleError) -> Int {
        let line = try readLine()
        guard !line.isEmpty, line.count <= 18, line.allSatisfy({ input[$0] >= 0x30 && input[$0] <= 0x39 }) else {
            throw invalid("not a memo index")
        }
        var value = 0
        for i in line { value = value * 10 + Int(input[i] - 0x30) }
        return value
    }

    /// INT and LONG text: optional sign, decimal digits, for LONG an optional trailing `L`.
    /// Python also accepts spellings no pickler writes (`0x…`, `_`, surrounding blanks, and
    /// for INT C-octal `010`); those are refused rather than risk a different value.
    private func parseDecimalInteger(_ line: Range<Int>, allowLongSuffix: Bool) throws(PickleError) -> PickleValue {
        var text = input[line]
        if allowLongSuffix, text.last == 0x4C { text = text.dropLast() }
        var negative = false
        if let first = text.first, first == 0x2B || first == 0x2D {
            negative = first == 0x2D
            text = text.dropFirst()
        }
        guard !text.isEmpty, text.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw invalid("not an integer") }
        guard text.count <= limits.maxDecimalDigits else { throw invalid("more than \(limits.maxDecimalDigits) digits") }
        if text.count > 1, text.first == 0x30 {
            guard text.allSatisfy({ $0 == 0x30 }) else { throw invalid("leading zero") }
            return .int(0)
        }
        return PickleInteger.value(decimalDigits: Array(text)[...], negative: negative)
    }

    /// STRING: a quoted Python 2 `repr` with backslash escapes, then UTF-8.
    private func decodeQuotedString(_ line: Range<Int>) throws(PickleError) -> String {
        guard line.count >= 2, input[line.lowerBound] == input[line.upperBound - 1],
              input[line.lowerBound] == 0x27 || input[line.lowerBound] == 0x22 else {
            throw invalid("the STRING opcode argument must be quoted")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.count)
        var i = line.lowerBound + 1
        let end = line.upperBound - 1
        while i < end {
            let byte = input[i]
            i += 1
            guard byte == 0x5C else { bytes.append(byte); continue }
            guard i < end else { throw invalid("trailing \\ in string") }
            let escape = input[i]
            i += 1
            switch escape {
            case 0x0A: break  // line continuation
            case 0x5C, 0x27, 0x22: bytes.append(escape)
            case 0x62: bytes.append(0x08)  // \b
            case 0x66: bytes.append(0x0C)  // \f
            case 0x74: bytes.append(0x09)  // \t
            case 0x6E: bytes.append(0x0A)  // \n
            case 0x72: bytes.append(0x0D)  // \r
            case 0x76: bytes.append(0x0B)  // \v
            case 0x61: bytes.append(0x07)  // \a
            case 0x30...0x37:
                // Up to three octal digits; Python keeps the low 8 bits of larger values.
                var value = Int(escape - 0x30)
                var digits = 1
                while digits < 3, i < end, input[i] >= 0x30, input[i] <= 0x37 {
                    value = value * 8 + Int(input[i] - 0x30)
                    i += 1
                    digits += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            case 0x78:  // \xhh, exactly two hex digits
                guard end - i >= 2, let high = hexValue(input[i]), let low = hexValue(input[i + 1]) else {
                    throw invalid("invalid \\x escape")
                }
                bytes.append(UInt8(high << 4 | low))
                i += 2
            default:
                // Unknown escapes stay as written (Python warns but keeps them).
                bytes.append(0x5C)
                bytes.append(escape)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw invalid("invalid UTF-8") }
        return text
    }

    /// UNICODE: Python's raw-unicode-escape. Bytes are Latin-1 code points except
    /// `\uXXXX` / `\UXXXXXXXX`, which count only after an odd run of backslashes.
    private func decodeRawUnicodeEscape(_ line: Range<Int>) throws(PickleError) -> String {
        // Built as UTF-8 bytes: appending scalars to a String one by one is several times slower.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(line.count + line.count / 2)
        var i = line.lowerBound
        let end = line.upperBound
        while i < end {
            let byte = input[i]
            guard byte == 0x5C else {
                appendUTF8(UInt32(byte), to: &utf8)
                i += 1
                continue
            }
            var runEnd = i
            while runEnd < end, input[runEnd] == 0x5C { runEnd += 1 }
            let run = runEnd - i
            guard run % 2 == 1, runEnd < end, input[runEnd] == 0x75 || input[runEnd] == 0x55 else {
                utf8.append(contentsOf: repeatElement(0x5C, count: run))
                i = runEnd
                continue
            }
            utf8.append(contentsOf: repeatElement(0x5C, count: run - 1))
            let digits = input[runEnd] == 0x75 ? 4 : 8
            var j = runEnd + 1
            guard end - j >= digits else { throw invalid("truncated \\uXXXX escape") }
            var code: UInt32 = 0
            for _ in 0..<digits {
                guard let nibble = hexValue(input[j]) else { throw invalid("truncated \\uXXXX escape") }
                code = code << 4 | UInt32(nibble)
                j += 1
            }
            guard Unicode.Scalar(code) != nil else {
                throw invalid(code > 0x10FFFF ? "\\Uxxxxxxxx out of range" : "lone surrogate")
            }
            appendUTF8(code, to: &utf8)
            i = j
        }
        // Every code point appended is a valid scalar, so this cannot fail; stay total anyway.
        guard let text = String(validating: utf8, as: UTF8.self) else { throw invalid("invalid code point") }
        return text
    }

    /// UTF-8 encoding of a valid Unicode scalar value.
    private func appendUTF8(_ code: UInt32, to bytes: inout [UInt8]) {
        switch code {
        case 0..<0x80:
            bytes.append(UInt8(code))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | code >> 6))
            bytes.append(UInt8(0x80 | code & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | code >> 12))
            bytes.append(UInt8(0x80 | (code >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | code & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | code >> 18))
            bytes.append(UInt8(0x80 | (code >> 12) & 0x3F))
            bytes.append(UInt8(0x80 | (code >> 6) & 0x3F))
            bytes.append(UInt8(0x80 | code & 0x3F))
        }
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
