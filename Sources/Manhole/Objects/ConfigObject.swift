import ManholeLanguage
/// The effective configuration: `config` prints it as a dict, `config['KEY']` and
/// `carbon.conf.settings.KEY` read one value. Secret-looking values are hidden.
final class ConfigObject: ManholeObject {
    var completesAttributes: Bool { true }
    let context: ManholeContext

    init(_ context: ManholeContext) {
        self.context = context
    }

    var pairs: [(key: String, value: String)] {
        context.settings().map { ($0.key, ManholeContext.isSecret($0.key) && !$0.value.isEmpty ? "********" : $0.value) }
    }

    var typeName: String { "Settings" }
    var repr: String { PythonValue.dict(pairs.map { (.string($0.key), .string($0.value)) }).repr }
    var doc: String { "The effective configuration (carbon.conf keys); secrets are hidden." }
    var attributeNames: [String] { pairs.map(\.key) }

    func attribute(_ name: String, _ run: Invocation) throws -> PythonValue {
        if name == "keys" {
            return .object(FunctionObject("keys", doc: "the keys") { [pairs] _, _ in .list(pairs.map { .string($0.key) }) })
        }
        guard let pair = pairs.first(where: { $0.key == name.uppercased() }) else {
            throw PythonError.attribute(typeName, name)
        }
        return .string(pair.value)
    }

    func item(_ key: PythonValue, _ run: Invocation) throws -> PythonValue {
        guard case let .string(name) = key, let pair = pairs.first(where: { $0.key == name.uppercased() }) else {
            throw PythonError.key(key)
        }
        return .string(pair.value)
    }

    func length() throws -> Int { pairs.count }
}
