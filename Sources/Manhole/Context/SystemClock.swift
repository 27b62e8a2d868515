import ManholeLanguage
import Glibc

/// The clocks and the sleep the manhole's dedicated threads use.
enum SystemClock {
    /// Wall-clock seconds since the epoch.
    static func wall() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Monotonic seconds, for deadlines.
    static func monotonic() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sleeps the calling thread (a dedicated thread, never the concurrency pool).
    static func pause(seconds: Double) {
        guard seconds > 0 else { return }
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        nanosleep(&spec, nil)
    }
}
