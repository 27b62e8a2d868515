import CLibFuzzer

import Glibc

/// Runs libFuzzer over one target: a fuzz target's `main` is `FuzzDriver.run(SomeTarget.run)`.
/// The command line is libFuzzer's (corpus directories, `-runs=`, `-max_total_time=`, ...).
public enum FuzzDriver {
    /// The target of this process; libFuzzer's callback is a C function and cannot capture it.
    nonisolated(unsafe) private static var target: ((FuzzInput) -> Void)?

    public static func run(_ body: @escaping (FuzzInput) -> Void) -> Never {
        target = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.target!(FuzzInput(data, size))
            return 0
        }
        exit(status)
    }
}
