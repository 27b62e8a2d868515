import Pickle

/// graphite-web's TagDB HTTP API (`tags/views.py`, the server `tags/http.py` talks to) and the
/// autocomplete endpoints its cluster client calls, answered from the `TagIndex`
/// (docs/reads.md §7). Answers are JSON; errors are `{"error": "..."}` with 400, as graphite-web's
/// `jsonResponse` writes them.
struct TagsView {
    let index: TagIndex
    /// graphite-web's TAGDB_AUTOCOMPLETE_LIMIT.
    static let autocompleteLimit = 100

    func answer(route: String, method: String, _ parameters: QueryParameters) -> APIResponse {
        do {
            return json(try value(route: route, method: method, parameters))
        } catch {
            var response = json(["error": .string(Self.reason(error))])
            response.status = error.status == 405 ? 405 : 400
            return response
        }
    }

    func value(route: String, method: String, _ parameters: QueryParameters) throws(QueryError) -> PickleValue {
        let writes = ["/tags/tagSeries", "/tags/tagMultiSeries", "/tags/delSeries"]
        if writes.contains(route), method != "POST" { throw .methodNotAllowed }
        switch route {
        case "/tags/tagSeries":
            guard let path = parameters["path"], !path.isEmpty else { throw .invalid("no path specified") }
            return try tag(path)
        case "/tags/tagMultiSeries":
            let paths = list(parameters, "path")
            guard !paths.isEmpty else { throw .invalid("no paths specified") }
            var tagged: [PickleValue] = []
            for path in paths { tagged.append(try tag(path)) }
            return .list(tagged)
        case "/tags/delSeries":
            let paths = list(parameters, "path")
            guard !paths.isEmpty else { throw .invalid("no path specified") }
            for path in paths { index.remove(path) }
            return true
        case "/tags/findSeries":
            let expressions = list(parameters, "expr")
            guard !expressions.isEmpty else { throw .invalid("no tag expressions specified") }
            return .list(try index.find(expressions).map(PickleValue.string))
        case "/tags/autoComplete/tags":
            let limit = try self.limit(parameters) ?? Self.autocompleteLimit
            return .list(try index.autoCompleteTags(list(parameters, "expr"), prefix: parameters["tagPrefix"] ?? "", limit: limit)
                .map(PickleValue.string))
        case "/tags/autoComplete/values":
            guard let tag = parameters["tag"], !tag.isEmpty else { throw .invalid("no tag specified") }
            let limit = try self.limit(parameters) ?? Self.autocompleteLimit
            return .list(try index.autoCompleteValues(list(parameters, "expr"), tag: tag, prefix: parameters["valuePrefix"] ?? "",
                                                      limit: limit).map(PickleValue.string))
        case "/tags":
            return .list(try index.tags(filter: parameters["filter"], limit: try limit(parameters)).map { ["tag": .string($0)] })
        default:
            let tag = String(route.dropFirst("/tags/".count))
            guard let values = try index.values(of: tag, filter: parameters["filter"], limit: try limit(parameters)) else { return .none }
            return .dict([("tag", .string(tag)),
                          ("values", .list(values.map { .dict([("value", .string($0.value)), ("count", .int(Int64($0.count)))]) }))])
        }
    }

    func tag(_ path: String) throws(QueryError) -> PickleValue {
        guard let name = index.add(path, plainNamesToo: true) else { throw .invalid("Cannot parse path \(path)") }
        return .string(name)
    }

    /// `name` or, as jQuery sends lists, `name[]`.
    func list(_ parameters: QueryParameters, _ name: String) -> [String] {
        let plain = parameters.all(name)
        return plain.isEmpty ? parameters.all(name + "[]") : plain
    }

    func limit(_ parameters: QueryParameters) throws(QueryError) -> Int? {
        guard let text = parameters["limit"], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw .invalidParameter(name: "limit", value: text, reason: "expected a whole number")
        }
        return value
    }

    func json(_ value: PickleValue) -> APIResponse {
        APIResponse(contentType: "application/json", body: PythonJSON.encode(value))
    }

    static func reason(_ error: QueryError) -> String {
        if case let .invalidParameter(_, _, reason) = error { return reason }
        return error.description
    }
}
