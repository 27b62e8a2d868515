import Foundation

/// `multipart/form-data` bodies: what graphite-web's HTTP clients (urllib3's `request` with
/// `fields`) send on POST, e.g. the TagDB client's `tagMultiSeries`. Only the fields' names and
/// values are read; file parts are read as values too.
public enum MultipartForm {
    /// The boundary of a `multipart/form-data; boundary=...` content type; nil for any other.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = part.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    public static func parse(_ body: [UInt8], boundary: String) -> QueryParameters {
        var parameters = QueryParameters()
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var start: Int?
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            if let begin = start { parts.append(body[begin..<found]) }
            index = found + delimiter.count
            start = index
        }
        for part in parts {
            // Each part: CRLF, headers, CRLF CRLF, value, CRLF (before the next delimiter).
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: Array(part), from: 0) else { continue }
            let raw = Array(part)
            let headers = String(decoding: raw[..<headerEnd], as: UTF8.self)
            var value = raw[(headerEnd + 4)...]
            if value.suffix(2).elementsEqual([13, 10]) { value = value.dropLast(2) }
            guard let name = fieldName(headers) else { continue }
            parameters.append(name: name, value: String(decoding: value, as: UTF8.self))
        }
        return parameters
    }

    /// `name="..."` of the part's Content-Disposition.
    static func fieldName(_ headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            guard let range = line.range(of: "name=\"") else { continue }
            let rest = line[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            return String(rest[..<end])
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
