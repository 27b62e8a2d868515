/// The bytes libFuzzer hands a target, and the ways a target replays them.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    }

    /// The input cut into reads of 1 to 13 bytes, the size chosen by the input's length: a
    /// stream protocol must give the same result however TCP segments it, and small reads put
    /// every line and frame boundary across reads somewhere in the corpus.
    public var chunks: [UnsafeRawBufferPointer] {
        let size = bytes.count % 13 + 1
        return stride(from: 0, to: bytes.count, by: size).map { start in
            UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + size, bytes.count)])
        }
    }

    /// The input as text when it is valid UTF-8 (what the config readers accept), else nil.
    public var text: String? {
        String(validating: bytes, as: UTF8.self)
    }
}

/// Stops the fuzzer with a message when an invariant a parser promises does not hold: libFuzzer
/// records the input as a crash like any other trap.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant: \(message())") }
}
