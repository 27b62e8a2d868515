/// A module member computed when read (`writer.stats`, `cache.size`): reading it gives a fresh
/// value from the live process.
final class PropertyObject: ManholeObject {
    let name: String
    let doc: String
    let getter: (Invocation) throws -> PythonValue

    init(_ name: String, doc: String, _ getter: @escaping (Invocation) throws -> PythonValue) {
        self.name = name
        self.doc = doc
        self.getter = getter
    }

    var typeName: String { "property" }
    var repr: String { "<property \(name)>" }

    func get(_ run: Invocation) throws -> PythonValue {
        try getter(run)
    }
}
