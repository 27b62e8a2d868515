/// An HTTP resource another server offers: where a request is sent (plain HTTP).
public struct HTTPTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }
}
