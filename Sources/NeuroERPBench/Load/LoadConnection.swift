import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as the load generator sends it.
struct LoadRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: [(String, String)] = []
    var body: ByteBuffer?
}

struct LoadResponse: Sendable {
    let status: Int
    let body: ByteBuffer
}

struct ConnectionClosed: Error {}

/// One keep-alive HTTP/1.1 connection that carries one request at a time: a simulated user
/// holds one of its own, as a browser tab would, so the server sees as many open connections as
/// there are users (a pooled client would share a handful among all of them).
final class LoadConnection: Sendable {
    private let channel: any Channel
    private let host: String

    private init(channel: any Channel, host: String) {
        self.channel = channel
        self.host = host
    }

    static func connect(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> LoadConnection {
        try await open(host: host, port: port, group: group).get()
    }

    /// The same, for a caller on an event loop that must not suspend.
    static func open(host: String, port: Int, group: any EventLoopGroup) -> EventLoopFuture<LoadConnection> {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port)
            .map { LoadConnection(channel: $0, host: "\(host):\(port)") }
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    var isOpen: Bool { channel.isActive }

    /// The response, or a failure when the connection closes or `timeout` passes first (the
    /// connection is then closed: its answer could still arrive and be taken for the next one's).
    func send(_ request: LoadRequest, timeout: TimeAmount = .seconds(10)) async throws -> LoadResponse {
        try await answer(to: request, timeout: timeout).get()
    }

    /// The same, for a caller on the connection's event loop that must not suspend.
    func answer(to request: LoadRequest, timeout: TimeAmount = .seconds(10)) -> EventLoopFuture<LoadResponse> {
        var request = request
        request.headers.append(("Host", host))
        let promise = channel.eventLoop.makePromise(of: LoadResponse.self)
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.writeAndFlush(PendingRequest(request: request, promise: promise), promise: nil)
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return promise.futureResult
    }

    func close() async {
        try? await closeNow().get()
    }

    /// Closes; the future succeeds when it is closed, or was already.
    func closeNow() -> EventLoopFuture<Void> {
        channel.close().recover { _ in }
    }
}

private struct PendingRequest: Sendable {
    let request: LoadRequest
    let promise: EventLoopPromise<LoadResponse>
}

/// Writes a request and completes its promise with the status and body once the response ends.
private final class ResponseCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<LoadResponse>?
    private var status = 0
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let next = unwrapOutboundIn(data)
        // A closed channel would drop the write without calling back: answer at once.
        guard context.channel.isActive, pending == nil else {
            next.promise.fail(ConnectionClosed())
            return
        }
        pending = next.promise
        var head = HTTPRequestHead(version: .http1_1, method: next.request.method, uri: next.request.path)
        for (name, value) in next.request.headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(next.request.body?.readableBytes ?? 0))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = next.request.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let promise = pending
            pending = nil
            promise?.succeed(LoadResponse(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ConnectionClosed())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
