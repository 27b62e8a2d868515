import ManholeLanguage
/// Why the manhole could not start: the message names the file or setting to fix.
public struct ManholeError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
