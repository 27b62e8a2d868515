/// A namespace such as `carbon`, `carbon.cache` or `whisper`: named members, nothing else.
final class ModuleObject: ManholeObject {
    let name: String
    let doc: String
    private(set) var members: [(name: String, value: PythonValue)]

    init(_ name: String, doc: String = "", members: [(name: String, value: PythonValue)] = []) {
        self.name = name
        self.doc = doc.isEmpty ? "module \(name)" : doc
        self.members = members
    }

    func add(_ name: String, _ value: PythonValue) {
        members.removeAll { $0.name == name }
        members.append((name, value))
    }

    func member(_ name: String) -> PythonValue? {
        members.first { $0.name == name }?.value
    }

    var typeName: String { "module" }
    var repr: String { "<module \(PythonValue.repr(name))>" }
    var attributeNames: [String] { members.map(\.name) }

    func attribute(_ attribute: String, _ run: Invocation) throws -> PythonValue {
        guard let value = member(attribute) else {
            throw PythonError("AttributeError", "module \(PythonValue.repr(name)) has no attribute \(PythonValue.repr(attribute))")
        }
        if case let .object(object) = value, let property = object as? PropertyObject { return try property.get(run) }
        return value
    }
}
