import Foundation
import XCTest

/// Runs the system Python 3 (the reference pickle implementation) to produce and check pickles.
enum PythonOracle {
    static let interpreter = "/usr/bin/python3"

    /// Runs `script` with `input` on stdin (written to a file first so no pipe can stall);
    /// fails the test on a non-zero exit. Returns stdout.
    static func run(_ script: String, input: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("pickle-oracle-\(UUID().uuidString)")
        try Data(input).write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script]
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain stderr concurrently so neither pipe can fill while the other is read.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let stderr = String(decoding: errData, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "python failed: \(stderr)", file: file, line: line)
        if process.terminationStatus != 0 { throw OracleError.failed(stderr) }
        return String(decoding: outData, as: UTF8.self)
    }

    enum OracleError: Error { case failed(String), badHex }

    /// `pickle.dumps(eval(expression), protocol=p)` for every expression and protocol:
    /// result[expression][protocolIndex].
    static func pickles(_ expressions: [String], protocols: [Int]) throws -> [[[UInt8]]] {
        let script = """
        import pickle, sys
        exprs = [\(expressions.map { "lambda: (" + $0 + ")" }.joined(separator: ",\n"))]
        for e in exprs:
            print(" ".join(pickle.dumps(e(), protocol=p).hex() for p in [\(protocols.map(String.init).joined(separator: ","))]))
        """
        let lines = try run(script).split(separator: "\n")
        XCTAssertEqual(lines.count, expressions.count)
        return try lines.map { try $0.split(separator: " ").map { try bytes(hex: String($0)) } }
    }

    /// For each pickle (concatenated on stdin as hex lines), whether `pickle.loads` of it
    /// equals `eval(expression)`, with types compared too (Python says 1 == 1.0 == True).
    static func loadsEqual(_ pickles: [[UInt8]], _ expressions: [String]) throws -> [Bool] {
        let input = Array(pickles.map { hex($0) }.joined(separator: "\n").utf8)
        let script = """
        import pickle, sys
        def same(a, b):
            if type(a) is not type(b): return False
            if isinstance(a, (list, tuple)): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
            if isinstance(a, dict): return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
            if isinstance(a, float) and a != a: return b != b
            return a == b
        exprs = [\(expressions.map { "lambda: (" + $0 + ")" }.joined(separator: ",\n"))]
        data = sys.stdin.read().split("\\n")
        for h, e in zip(data, exprs):
            print(same(pickle.loads(bytes.fromhex(h)), e()))
        """
        return try run(script, input: input).split(separator: "\n").map { $0 == "True" }
    }

    static func bytes(hex: String) throws -> [UInt8] {
        var result: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = nibble(high), let l = nibble(low) else { throw OracleError.badHex }
            result.append(h << 4 | l)
        }
        return result
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// Bytes from a string written with Python-style escapes only where needed: ASCII chars
/// as themselves. Used to hand-build pickles readably.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
