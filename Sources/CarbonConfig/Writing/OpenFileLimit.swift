import Glibc

/// The process's open-file limit: every whisper file kept open saves an open and a close per
/// write (about 3 of the 8 microseconds of a write here).
enum OpenFileLimit {
    /// Raises the soft limit to the hard one and returns the new soft limit (at least 2048).
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 2048 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return max(2048, Int(min(limit.rlim_cur, 1 << 24)))
    }
}
