import CarbonCache
import CarbonConfig
import Whisper

/// The directories one writer thread holds open, by path, so that it opens files by name in
/// them (`WhisperDirectory`): one path component for the kernel to look up instead of every
/// one of the whole path (with millions of files cached, the dentry hash walk was a quarter of
/// the writers' time: BENCHMARKS.md, steady state). Bounded: once full, a directory not held
/// is opened only when it misses a second time while still remembered (a directory whose
/// files come one at a time would cost a directory open per file), taking the place of one
/// not used since the clock hand last passed it. Forgotten as a whole when the storage rules
/// are reloaded (an operator who moved or removed directories sends SIGHUP), one by one when
/// a file cannot be found through them.
struct OpenDirectories {
    let capacity: Int
    private var slots: [String: Int] = [:]
    private var held: [WhisperDirectory] = []
    private var used: [Bool] = []
    private var hand = 0
    /// Directories that missed once while full; cleared when it reaches the capacity.
    private var missedOnce: Set<String> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    public var count: Int { held.count }

    /// The directory held open for `path`, opening it if there is room or it earned a place;
    /// nil when it cannot be opened (not there yet) or is not held.
    mutating func directory(_ path: String) -> WhisperDirectory? {
        if let slot = slots[path] {
            used[slot] = true
            return held[slot]
        }
        guard capacity > 0 else { return nil }
        if held.count >= capacity {
            guard missedOnce.remove(path) != nil else {
                if missedOnce.count >= capacity { missedOnce.removeAll(keepingCapacity: true) }
                missedOnce.insert(path)
                return nil
            }
        }
        guard let opened = try? open(path) else { return nil }
        if held.count < capacity {
            slots[path] = held.count
            held.append(opened)
            used.append(false)
        } else {
            let slot = nextUnused()
            slots[held[slot].path] = nil
            held[slot] = opened
            used[slot] = false
            slots[path] = slot
        }
        return opened
    }

    /// The held directory to open the file `name` of directory `path` through, and the name
    /// relative to it: the directory itself, else its parent (statsd gives each timer a
    /// directory, more than are held, while their parent is one for all: `kN/upper_90.wsp`
    /// looked up there is two components instead of the whole path); nil when neither is held.
    mutating func opening(_ name: String, in path: String) -> (directory: WhisperDirectory, name: String)? {
        if let held = directory(path) { return (held, name) }
        guard let location = FileLocation(path: path), let parent = directory(location.directory) else { return nil }
        return (parent, location.name + "/" + name)
    }

    /// Opens the directory at `path`, by its last component when its parent is held.
    private mutating func open(_ path: String) throws -> WhisperDirectory {
        if let location = FileLocation(path: path), let slot = slots[location.directory] {
            used[slot] = true
            return try WhisperDirectory(name: location.name, in: held[slot], path: path)
        }
        return try WhisperDirectory(path: path)
    }

    /// The clock's next slot not used since the hand last passed it (clearing the marks it
    /// passes).
    private mutating func nextUnused() -> Int {
        while used[hand] {
            used[hand] = false
            hand = (hand + 1) % held.count
        }
        let slot = hand
        hand = (hand + 1) % held.count
        return slot
    }

    mutating func forget(_ path: String) {
        guard let slot = slots.removeValue(forKey: path) else { return }
        let last = held.count - 1
        if slot != last {
            held[slot] = held[last]
            used[slot] = used[last]
            slots[held[slot].path] = slot
        }
        held.removeLast()
        used.removeLast()
        if hand >= held.count { hand = 0 }
    }

    mutating func forgetAll() {
        slots.removeAll()
        held.removeAll()
        used.removeAll()
        missedOnce.removeAll()
        hand = 0
    }
}

/// A file path split at its last `/`: the directory and the file's name in it.
struct FileLocation {
    var directory: String
    public var name: String

    init?(path: String) {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else { return nil }
        directory = String(path[..<slash])
        name = String(path[path.utf8.index(after: slash)...])
        guard !name.isEmpty else { return nil }
    }
}
