import Foundation

/// Runs manhole statements: one session's variables, the built-ins and the modules the
/// operator can import. Results print as Python's console prints them; exceptions print as
/// Python's tracebacks and never escape.
public final class Interpreter {
    /// How a line went.
    public enum Outcome: Equatable {
        case ok
        /// An exception was printed.
        case failed
        /// `exit()` / `quit()`.
        case exit
    }

    /// The session's names (assignments and imports) over the built-ins.
    private(set) var globals: [String: PythonValue] = [:]
    public let builtins: [String: PythonValue]
    /// Importable modules by dotted name.
    public let modules: [String: ModuleObject]
    private var exitRequested = false

    /// `builtins` and `modules` are what the host process offers (the manhole binds the live
    /// pipeline's objects); `preloaded` are modules imported before the first line.
    public init(builtins: [String: PythonValue], modules: [String: ModuleObject], preloaded: [String] = []) {
        self.builtins = builtins
        self.modules = modules
        for name in preloaded { if let module = modules[name] { globals[name] = .object(module) } }
    }

    /// Runs one line (statements separated by `;`). Output goes to `write`, tracebacks to
    /// `writeError`.
    public func run(_ line: String, write: @escaping (String) -> Void, writeError: (String) -> Void,
             waitForInterrupt: @escaping (Double) -> Bool = { _ in false }) -> Outcome {
        let run = Invocation(interpreter: self, write: write, waitForInterrupt: waitForInterrupt)
        do {
            let statements = try Parser.parse(line)
            for statement in statements {
                try execute(statement, run)
                if exitRequested { return .exit }
            }
            return .ok
        } catch let error as PythonError {
            writeError(error.formatted(source: line))
            return .failed
        } catch {
            writeError(PythonError("RuntimeError", "\(error)").formatted(source: line))
            return .failed
        }
    }

    /// All names visible at top level, for `dir()` and completion.
    public var visibleNames: [String] {
        Set(globals.keys).union(builtins.keys).sorted()
    }

    public func lookup(_ name: String) throws -> PythonValue {
        if let value = globals[name] ?? builtins[name] { return value }
        throw PythonError.name(name)
    }

    private func execute(_ statement: Statement, _ run: Invocation) throws {
        switch statement {
        case .pass:
            break
        case let .expression(expression):
            let value = try evaluate(expression, run)
            if case .none = value { return }
            run.write(value.repr + "\n")
        case let .print(items):
            let values = try items.map { try evaluate($0, run) }
            run.write(values.map(\.str).joined(separator: " ") + "\n")
        case let .assign(name, expression):
            globals[name] = try evaluate(expression, run)
        case let .importModule(path, alias):
            let dotted = path.joined(separator: ".")
            guard modules[dotted] != nil else { throw PythonError("ModuleNotFoundError", "No module named \(PythonValue.repr(dotted))") }
            if let alias {
                globals[alias] = .object(modules[dotted]!)
            } else {
                globals[path[0]] = .object(modules[path[0]]!)
            }
        case let .fromImport(path, names):
            let dotted = path.joined(separator: ".")
            guard let module = modules[dotted] else {
                throw PythonError("ModuleNotFoundError", "No module named \(PythonValue.repr(dotted))")
            }
            for (name, alias) in names {
                let value: PythonValue
                if let member = module.member(name) {
                    value = member
                } else if let submodule = modules[dotted + "." + name] {
                    value = .object(submodule)
                } else {
                    throw PythonError("ImportError", "cannot import name \(PythonValue.repr(name)) from \(PythonValue.repr(dotted))")
                }
                globals[alias ?? name] = value
            }
        }
    }

    public func requestExit() {
        exitRequested = true
    }

    public func evaluate(_ expression: Expression, _ run: Invocation) throws -> PythonValue {
        switch expression {
        case let .name(name):
            let value = try lookup(name)
            if case let .object(object) = value, let property = object as? PropertyObject { return try property.get(run) }
            return value
        case let .constant(value):
            return value
        case let .list(items):
            return try PythonValue.list(try items.map { try evaluate($0, run) }).bounded()
        case let .tuple(items):
            return try PythonValue.tuple(try items.map { try evaluate($0, run) }).bounded()
        case let .dict(pairs):
            var result: [(key: PythonValue, value: PythonValue)] = []
            for pair in pairs {
                let key = try evaluate(pair.key, run)
                let value = try evaluate(pair.value, run)
                if let index = result.firstIndex(where: { $0.key.isEqual(to: key) }) {
                    result[index].value = value
                } else {
                    result.append((key, value))
                }
            }
            return try PythonValue.dict(result).bounded()
        case let .attribute(base, name):
            return try Self.attribute(try evaluate(base, run), name, run)
        case let .index(base, key):
            return try Self.index(try evaluate(base, run), try evaluate(key, run), run)
        case let .slice(base, lower, upper):
            let value = try evaluate(base, run)
            let low = try lower.map { try evaluate($0, run) }
            let high = try upper.map { try evaluate($0, run) }
            return try Self.slice(value, low, high)
        case let .call(function, arguments, keywords):
            let callee = try evaluate(function, run)
            let arguments = Arguments(try arguments.map { try evaluate($0, run) },
                                      keywords: try keywords.map { ($0.name, try evaluate($0.value, run)) })
            guard case let .object(object) = callee else {
                throw PythonError.type("\(PythonValue.repr(callee.typeName)) object is not callable")
            }
            return try object.call(arguments, run)
        case let .unary(op, operand):
            let value = try evaluate(operand, run)
            if op == "not" { return .bool(!value.isTruthy) }
            switch (op, value) {
            case ("-", .int(let n)):
                guard n != .min else { throw PythonError("OverflowError", "integer negation result too large") }
                return .int(-n)
            case ("-", .float(let x)): return .float(-x)
            case ("+", .int), ("+", .float): return value
            default: throw PythonError.type("bad operand type for unary \(op): \(PythonValue.repr(value.typeName))")
            }
        case let .binary(op, left, right):
            return try Self.binary(op, try evaluate(left, run), try evaluate(right, run))
        }
    }

    // MARK: Operations on values, shared with native objects

    public static func attribute(_ value: PythonValue, _ name: String, _ run: Invocation) throws -> PythonValue {
        switch value {
        case let .object(object):
            return try object.attribute(name, run)
        case let .dict(pairs):
            switch name {
            case "keys": return method(name) { _ in .list(pairs.map(\.key)) }
            case "values": return method(name) { _ in .list(pairs.map(\.value)) }
            case "items": return method(name) { _ in .list(pairs.map { .tuple([$0.key, $0.value]) }) }
            case "get":
                return .object(FunctionObject("get", doc: "get(key, default=None)") { arguments, _ in
                    let key = try arguments.required("get", 0, "key")
                    return pairs.first { $0.key.isEqual(to: key) }?.value ?? arguments.value(1, "default") ?? .none
                })
            default: break
            }
        case let .string(text):
            switch name {
            case "upper": return method(name) { _ in .string(text.uppercased()) }
            case "lower": return method(name) { _ in .string(text.lowercased()) }
            case "split":
                return .object(FunctionObject("split", doc: "split(sep=None)") { arguments, _ in
                    if let separator = arguments.value(0, "sep"), case let .string(sep) = separator, let first = sep.first, sep.count == 1 {
                        return .list(text.split(separator: first, omittingEmptySubsequences: false).map { .string(String($0)) })
                    }
                    return .list(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { .string(String($0)) })
                })
            case "startswith":
                return .object(FunctionObject("startswith", doc: "startswith(prefix)") { arguments, _ in
                    .bool(text.hasPrefix(try arguments.string("startswith", 0, "prefix")))
                })
            default: break
            }
        default:
            break
        }
        throw PythonError.attribute(value.typeName, name)
    }

    private static func method(_ name: String, _ body: @escaping (Arguments) throws -> PythonValue) -> PythonValue {
        .object(FunctionObject(name, doc: name) { arguments, _ in
            try arguments.check(name, [])
            return try body(arguments)
        })
    }

    public static func index(_ value: PythonValue, _ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        switch value {
        case let .list(items), let .tuple(items):
            guard let index = key.integer else {
                throw PythonError.type("\(value.typeName) indices must be integers or slices, not \(key.typeName)")
            }
            let resolved = index < 0 ? items.count + index : index
            guard items.indices.contains(resolved) else { throw PythonError("IndexError", "\(value.typeName) index out of range") }
            return items[resolved]
        case let .string(text):
            guard let index = key.integer else { throw PythonError.type("string indices must be integers") }
            let chars = Array(text)
            let resolved = index < 0 ? chars.count + index : index
            guard chars.indices.contains(resolved) else { throw PythonError("IndexError", "string index out of range") }
            return .string(String(chars[resolved]))
        case let .dict(pairs):
            guard let found = pairs.first(where: { $0.key.isEqual(to: key) }) else { throw PythonError.key(key) }
            return found.value
        case let .object(object):
            return try object.item(key, run)
        default:
            throw PythonError.type("\(PythonValue.repr(value.typeName)) object is not subscriptable")
        }
    }

    public static func slice(_ value: PythonValue, _ lower: PythonValue?, _ upper: PythonValue?) throws -> PythonValue {
        func bounds(_ count: Int) throws -> Range<Int> {
            func resolve(_ bound: PythonValue?, _ fallback: Int) throws -> Int {
                guard let bound else { return fallback }
                if case .none = bound { return fallback }
                guard let n = bound.integer else { throw PythonError.type("slice indices must be integers or None") }
                return min(max(n < 0 ? count + n : n, 0), count)
            }
            let low = try resolve(lower, 0)
            return low..<max(low, try resolve(upper, count))
        }
        switch value {
        case let .list(items): return .list(Array(items[try bounds(items.count)]))
        case let .tuple(items): return .tuple(Array(items[try bounds(items.count)]))
        case let .string(text):
            let chars = Array(text)
            return .string(String(chars[try bounds(chars.count)]))
        case let .object(object as CallableValue):
            return try slice(object.value, lower, upper)
        default:
            throw PythonError.type("\(PythonValue.repr(value.typeName)) object is not subscriptable")
        }
    }

    public static func length(_ value: PythonValue) throws -> Int {
        switch value {
        case let .list(items), let .tuple(items): return items.count
        case let .string(text): return text.count
        case let .dict(pairs): return pairs.count
        case let .object(object): return try object.length()
        default: throw PythonError.type("object of type \(PythonValue.repr(value.typeName)) has no len()")
        }
    }

    public static func binary(_ op: String, _ left: PythonValue, _ right: PythonValue) throws -> PythonValue {
        switch op {
        case "==": return .bool(left.isEqual(to: right))
        case "!=": return .bool(!left.isEqual(to: right))
        case "<", ">", "<=", ">=":
            let ordered: Bool
            if case let (.string(a), .string(b)) = (left, right) {
                ordered = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b
            } else if let a = left.numeric, let b = right.numeric {
                ordered = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b
            } else {
                throw unsupported(op, left, right)
            }
            return .bool(ordered)
        default:
            break
        }
        switch (op, left, right) {
        // `x = x + x` repeated doubles at every step: the same bounds as `'x' * n`, or one short
        // line exhausts the process's memory.
        case let ("+", .string(a), .string(b)):
            guard a.utf8.count + b.utf8.count <= PythonValue.maxStringBytes else {
                throw PythonError("MemoryError", "the manhole refuses strings over \(PythonValue.maxStringBytes) bytes")
            }
            return .string(a + b)
        case let ("+", .list(a), .list(b)):
            return try PythonValue.list(a + b).bounded()
        case let ("+", .tuple(a), .tuple(b)):
            return try PythonValue.tuple(a + b).bounded()
        case let ("*", .string(a), .int(n)):
            // A statement must not be able to exhaust the process's memory.
            guard a.utf8.count.multipliedReportingOverflow(by: max(0, n)).partialValue <= PythonValue.maxStringBytes,
                  n < PythonValue.maxStringBytes || a.isEmpty
            else { throw PythonError("MemoryError", "the manhole refuses strings over \(PythonValue.maxStringBytes) bytes") }
            return .string(String(repeating: a, count: max(0, n)))
        default: break
        }
        if case let .int(a) = left, case let .int(b) = right {
            switch op {
            case "+": return .int(a &+ b)
            case "-": return .int(a &- b)
            case "*": return .int(a &* b)
            case "//", "%":
                guard b != 0 else { throw PythonError("ZeroDivisionError", "integer division or modulo by zero") }
                guard !(a == Int.min && b == -1) else { throw PythonError("OverflowError", "integer division result too large") }
                // Python rounds toward minus infinity, so the remainder takes the divisor's sign.
                // Both come from Swift's truncating results: `a - quotient * b` would overflow
                // (-9223372036854775807 % 3 trapped).
                var quotient = a / b
                var remainder = a % b
                if remainder != 0 && (remainder < 0) != (b < 0) {
                    quotient -= 1
                    remainder += b
                }
                return .int(op == "//" ? quotient : remainder)
            case "**" where b >= 0:
                var result = 1
                for _ in 0..<min(b, 64) { result = result &* a }
                return .int(result)
            default: break
            }
        }
        guard let a = left.numeric, let b = right.numeric else { throw unsupported(op, left, right) }
        switch op {
        case "+": return .float(a + b)
        case "-": return .float(a - b)
        case "*": return .float(a * b)
        case "/":
            guard b != 0 else { throw PythonError("ZeroDivisionError", "division by zero") }
            return .float(a / b)
        case "//":
            guard b != 0 else { throw PythonError("ZeroDivisionError", "float floor division by zero") }
            return .float((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw PythonError("ZeroDivisionError", "float modulo") }
            return .float(a - (a / b).rounded(.down) * b)
        case "**": return .float(pow(a, b))
        default: throw unsupported(op, left, right)
        }
    }

    private static func unsupported(_ op: String, _ left: PythonValue, _ right: PythonValue) -> PythonError {
        PythonError.type("unsupported operand type(s) for \(op): \(PythonValue.repr(left.typeName)) and \(PythonValue.repr(right.typeName))")
    }
}
