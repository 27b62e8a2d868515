#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole seconds since the epoch, as whisper's `int(time.time())`.
func unixNow() -> Int { Int(time(nil)) }
