import NameBytes
import Glibc
import Whisper

/// What a writer thread keeps of every file it has written, by metric name in a `NameTable`:
/// the file's header and directory, interned (the files of one schema, of one directory,
/// share one), its archives' base intervals, and its descriptor while within the open-file
/// budget. A write through a held descriptor is one `pwrite`; through a released one the file
/// is reopened by name in its directory, its header not read and its path not worked out
/// again. About 50 bytes plus the name per file, where a whole `WhisperFile` kept per file
/// cost over 500 (docs/carbon.md §16).
struct WrittenFiles {
    private struct Record {
        /// Index into `headers`; `none` once the file must be opened afresh.
        var header: UInt32
        /// Where the file's bases start in `bases` (one per archive).
        var firstBase: UInt32
        /// Index into `directoryPaths` when the file's name is the metric's last component and
        /// `.wsp` (plain names); `none` for other paths (hashed tagged names): worked out again.
        var directory: UInt32
        /// Held open, or -1.
        var descriptor: Int32
    }

    /// What a write needs to reach the file again.
    struct Kept {
        var id: Int
        var header: WhisperHeader
        var bases: [Int]
        /// The file's directory, when its name is the metric's last component and `.wsp`.
        var directory: String?
        /// Held open (now the caller's, see `take`), or -1.
        var descriptor: Int32
    }

    private static let none = UInt32.max

    private var names = NameTable()
    private var records: ContiguousArray<Record> = []
    private var bases: ContiguousArray<UInt32> = []
    private var headers: [WhisperHeader] = []
    private var headerIndex: [WhisperHeader: UInt32] = [:]
    private var directoryPaths: [String] = []
    private var directoryIndex: [String: UInt32] = [:]

    /// The memory held, as counted into the cache's memory: per name its bytes, its place in
    /// the table (record and slots), its record here and its bases; the headers and
    /// directories themselves are few and not counted.
    private(set) var memoryBytes = 0
    static let bytesPerFile = 48
    /// Descriptors held.
    private(set) var openCount = 0

    /// Names held (forgotten ones included: their place is reused when kept again).
    var count: Int { records.count }

    /// Keeps what a write through `file` learned about it, holding `descriptor` (-1: none;
    /// the caller has taken it from the file) and replacing what was kept before.
    mutating func keep(_ metric: String, _ file: WhisperFile, descriptor: Int32) {
        let header = headerIndex[file.header] ?? {
            let index = UInt32(headers.count)
            headers.append(file.header)
            headerIndex[file.header] = index
            return index
        }()
        var directory = Self.none
        if let location = FileLocation(path: file.path), location.name == Self.fileName(of: metric) {
            directory = directoryIndex[location.directory] ?? {
                let index = UInt32(directoryPaths.count)
                directoryPaths.append(location.directory)
                directoryIndex[location.directory] = index
                return index
            }()
        }
        let known = file.knownBases
        let id: Int
        if let found = names.find(metric) {
            id = found
            let previous = records[id]
            if previous.descriptor >= 0 { Glibc.close(previous.descriptor) }
            let fits = previous.header != Self.none && headers[Int(previous.header)].archives.count == known.count
            records[id] = Record(header: header, firstBase: fits ? previous.firstBase : appendBases(count: known.count),
                                 directory: directory, descriptor: descriptor)
            openCount += (descriptor >= 0 ? 1 : 0) - (previous.descriptor >= 0 ? 1 : 0)
        } else {
            id = names.insert(metric)
            records.append(Record(header: header, firstBase: appendBases(count: known.count), directory: directory,
                                  descriptor: descriptor))
            memoryBytes += metric.utf8.count + Self.bytesPerFile + 4 * known.count
            if descriptor >= 0 { openCount += 1 }
        }
        setBases(id, known)
    }

    /// What is kept for the metric's file, if anything. A held descriptor passes to the
    /// caller (the record holds none until `putBack` or `keep`).
    mutating func take(_ metric: String) -> Kept? {
        guard let id = names.find(metric), records[id].header != Self.none else { return nil }
        let record = records[id]
        if record.descriptor >= 0 {
            records[id].descriptor = -1
            openCount -= 1
        }
        let header = headers[Int(record.header)]
        let first = Int(record.firstBase)
        return Kept(id: id, header: header, bases: (0..<header.archives.count).map { Int(bases[first + $0]) },
                    directory: record.directory == Self.none ? nil : directoryPaths[Int(record.directory)],
                    descriptor: record.descriptor)
    }

    /// After a write through what `take` gave: the descriptor to hold (-1: none) and the bases
    /// as the write left them.
    mutating func putBack(_ kept: Kept, descriptor: Int32, bases known: [Int]) {
        records[kept.id].descriptor = descriptor
        if descriptor >= 0 { openCount += 1 }
        if known != kept.bases { setBases(kept.id, known) }
    }

    /// The file must be opened afresh at its next write (it went missing, its header changed,
    /// a write failed); a held descriptor is closed.
    mutating func forget(_ metric: String) {
        guard let id = names.find(metric) else { return }
        close(id)
        records[id].header = Self.none
    }

    /// The metrics whose held file was deleted (no name leads to it any more).
    func deletedWhileHeld() -> [String] {
        records.indices.compactMap { id in
            let fd = records[id].descriptor
            return fd >= 0 && WhisperFile.isDeleted(descriptor: fd) ? names.name(id) : nil
        }
    }

    /// Forgets the files not held open (at the memory ceiling: they only spare a header read
    /// and a path at their next write), giving their memory back.
    mutating func forgetReleased() {
        let keep = records.map { $0.descriptor >= 0 && $0.header != Self.none }
        let mapping = names.compact { keep[$0] }
        let keptRecords = NameTable.compacted(records, by: mapping)
        var keptBases: ContiguousArray<UInt32> = []
        memoryBytes = 0
        records = ContiguousArray(keptRecords.enumerated().map { id, record in
            var moved = record
            let count = headers[Int(record.header)].archives.count
            moved.firstBase = UInt32(keptBases.count)
            keptBases.append(contentsOf: bases[Int(record.firstBase)..<(Int(record.firstBase) + count)])
            memoryBytes += names.withNameBytes(id) { $0.count } + Self.bytesPerFile + 4 * count
            return moved
        })
        bases = keptBases
    }

    /// Closes every held descriptor and forgets every file (a reload of the rules).
    mutating func removeAll() {
        for id in records.indices { close(id) }
        names = NameTable()
        records = []
        bases = []
        headers = []
        headerIndex = [:]
        directoryPaths = []
        directoryIndex = [:]
        memoryBytes = 0
    }

    /// `LEAF.wsp` for a name `a.b.LEAF` (the file name of a plain name).
    static func fileName(of metric: String) -> String {
        let utf8 = metric.utf8
        let leaf = utf8.lastIndex(of: UInt8(ascii: ".")).map { metric[utf8.index(after: $0)...] } ?? metric[...]
        return leaf + ".wsp"
    }

    private mutating func close(_ id: Int) {
        guard records[id].descriptor >= 0 else { return }
        Glibc.close(records[id].descriptor)
        records[id].descriptor = -1
        openCount -= 1
    }

    private mutating func setBases(_ id: Int, _ known: [Int]) {
        let first = Int(records[id].firstBase)
        for (k, base) in known.enumerated() { bases[first + k] = UInt32(truncatingIfNeeded: base) }
    }

    private mutating func appendBases(count: Int) -> UInt32 {
        let first = bases.count
        bases.append(contentsOf: repeatElement(0, count: count))
        return UInt32(first)
    }
}
