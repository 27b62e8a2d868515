/// A module member computed when read (`writer.stats`, `cache.size`): reading it gives a fresh
/// value from the live process.
public final class PropertyObject: ManholeObject {
    public let name: String
    public let doc: String
    public let getter: (Invocation) throws -> PythonValue

    public init(_ name: String, doc: String, _ getter: @escaping (Invocation) throws -> PythonValue) {
        self.name = name
        self.doc = doc
        self.getter = getter
    }

    public var typeName: String { "property" }
    public var repr: String { "<property \(name)>" }

    public func get(_ run: Invocation) throws -> PythonValue {
        try getter(run)
    }
}
