import NIOCore
import NIOHTTP1
import ReadCore

/// One connection's requests: head and body gathered (up to `max_request_bytes`), then
/// answered through `APIServer.compute`; keep-alive as the client asks.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: APIServer
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var size = 0
    var tooLarge = false

    init(server: APIServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
            body = []
            size = request.uri.utf8.count
            tooLarge = size > server.settings.limits.maxRequestBytes
        case var .body(buffer):
            size += buffer.readableBytes
            if size > server.settings.limits.maxRequestBytes { tooLarge = true }
            if !tooLarge, let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        if tooLarge {
            write(.text(413, "the request is larger than \(server.settings.limits.maxRequestBytes) bytes (the [api] max_request_bytes limit)"),
                  version: request.version, keepAlive: false, context: context)
            return
        }
        guard request.method == .GET || request.method == .POST || request.method == .HEAD else {
            write(.text(405, "only GET and POST are answered"), version: request.version, keepAlive: keepAlive, context: context)
            return
        }
        let uri = Array(request.uri.utf8)
        let question = uri.firstIndex(of: UInt8(ascii: "?"))
        let path = String(decoding: uri[..<(question ?? uri.endIndex)], as: UTF8.self)
        var parameters = QueryParameters(urlEncoded: question.map { uri[($0 + 1)...] } ?? [])
        if request.method == .POST, !body.isEmpty {
            let contentType = request.headers["content-type"].first ?? "application/x-www-form-urlencoded"
            if let boundary = MultipartForm.boundary(contentType: contentType) {
                parameters.append(contentsOf: MultipartForm.parse(body, boundary: boundary))
            } else if contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
                parameters.append(contentsOf: QueryParameters(urlEncoded: body))
            }
        }
        body = []
        guard let answer = server.compute(method: request.method.rawValue, path: path, parameters: parameters,
                                          on: context.eventLoop) else {
            var busy = APIResponse.text(503, "busy: \(server.settings.limits.maxConcurrentRequests) requests are already running (the [api] max_concurrent_requests limit)")
            busy.headers.append(("Retry-After", "1"))
            write(busy, version: request.version, keepAlive: keepAlive, context: context)
            return
        }
        let isHead = request.method == .HEAD
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        answer.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case var .success(response):
                if isHead { response.body = [] }
                handler.write(response, version: request.version, keepAlive: keepAlive, context: context)
            case let .failure(error):
                handler.write(.text(500, "\(error)"), version: request.version, keepAlive: false, context: context)
            }
        }
    }

    func write(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
