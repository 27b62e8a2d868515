/// The order in which CPython (3.x up to 3.13) iterates `set(keys)` for small non-negative
/// integers, whose hash is the integer itself.
///
/// whisper propagates "for interval in set(lowerIntervals)", and that order is visible on disk:
/// the first propagation into an empty archive defines the archive's base slot. To write files
/// byte-identical to whisper.py, Stoker replays CPython's set insertion (open addressing with 9
/// linear probes, then perturbed probing; resize to 4x used when 3/5 full) and reads the table
/// in slot order, as `set_next` does.
struct PythonSetOrder {
    private static let linearProbes = 9
    private static let perturbShift = 5

    static func iterationOrder(_ keys: [Int]) -> [Int] {
        var table = [Int?](repeating: nil, count: 8)
        var used = 0
        for key in keys where !contains(table, key) {
            insertClean(&table, key)
            used += 1
            let mask = table.count - 1
            if used * 5 >= mask * 3 {
                var size = 8
                while size <= used * 4 { size <<= 1 }
                var resized = [Int?](repeating: nil, count: size)
                for case let old? in table { insertClean(&resized, old) }
                table = resized
            }
        }
        return table.compactMap { $0 }
    }

    /// Whether the key is present (no deletions happen, so a miss ends at the first empty slot
    /// along the same probe sequence; scanning all is simpler and the tables are tiny).
    private static func contains(_ table: [Int?], _ key: Int) -> Bool {
        table.contains(key)
    }

    /// CPython's probe sequence from `set_add_entry` / `set_insert_clean` (no dummies here).
    private static func insertClean(_ table: inout [Int?], _ key: Int) {
        let mask = UInt(table.count - 1)
        var perturb = UInt(bitPattern: key)
        var i = UInt(bitPattern: key) & mask
        while true {
            if table[Int(i)] == nil {
                table[Int(i)] = key
                return
            }
            if i + UInt(linearProbes) <= mask {
                for j in 1...UInt(linearProbes) where table[Int(i + j)] == nil {
                    table[Int(i + j)] = key
                    return
                }
            }
            perturb >>= UInt(perturbShift)
            i = (i &* 5 &+ 1 &+ perturb) & mask
        }
    }
}
