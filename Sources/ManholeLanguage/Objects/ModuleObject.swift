/// A namespace such as `carbon`, `carbon.cache` or `whisper`: named members, nothing else.
public final class ModuleObject: ManholeObject {
    public var completesAttributes: Bool { true }
    public let name: String
    public let doc: String
    private(set) var members: [(name: String, value: PythonValue)]

    public init(_ name: String, doc: String = "", members: [(name: String, value: PythonValue)] = []) {
        self.name = name
        self.doc = doc.isEmpty ? "module \(name)" : doc
        self.members = members
    }

    public func add(_ name: String, _ value: PythonValue) {
        members.removeAll { $0.name == name }
        members.append((name, value))
    }

    public func member(_ name: String) -> PythonValue? {
        members.first { $0.name == name }?.value
    }

    public var typeName: String { "module" }
    public var repr: String { "<module \(PythonValue.repr(name))>" }
    public var attributeNames: [String] { members.map(\.name) }

    public func attribute(_ attribute: String, _ run: Invocation) throws -> PythonValue {
        guard let value = member(attribute) else {
            throw PythonError("AttributeError", "module \(PythonValue.repr(name)) has no attribute \(PythonValue.repr(attribute))")
        }
        if case let .object(object) = value, let property = object as? PropertyObject { return try property.get(run) }
        return value
    }
}
