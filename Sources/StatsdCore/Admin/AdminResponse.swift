/// What the admin interface answers to a command: the bytes to write, and whether to close the
/// connection afterwards (`quit`).
public struct AdminResponse: Sendable, Equatable {
    public var text: String
    public var closeConnection: Bool

    public init(text: String, closeConnection: Bool = false) {
        self.text = text
        self.closeConnection = closeConnection
    }
}
