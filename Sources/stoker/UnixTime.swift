import Glibc

/// Whole seconds since the epoch, as whisper's `int(time.time())`.
func unixNow() -> Int { Int(time(nil)) }
