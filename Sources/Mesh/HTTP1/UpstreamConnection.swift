import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What an upstream answered, before it becomes a `ServiceResponse`.
struct UpstreamAnswer: Sendable {
    var head: HTTPResponseHead
    var body: ByteBuffer
}

/// Why a call on one connection failed; the pool maps these to problems.
enum UpstreamFailure: Error {
    case connectFailed(any Error)
    /// Closed before the call was written: the upstream never saw it.
    case closedBeforeSending
    /// Closed or broken before the answer was complete.
    case connectionClosed
    case timedOut
    case answerTooLarge
    case malformedAnswer(any Error)
}

/// One keep-alive HTTP/1.1 connection to an upstream, carrying one call at a time.
final class UpstreamConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    /// - Parameter tls: a context for `https` upstreams; nil for plain HTTP.
    static func open(
        host: String, port: Int, tls: NIOSSLContext?, maximumAnswerBytes: Int, timeout: Duration, group: any EventLoopGroup
    ) -> EventLoopFuture<UpstreamConnection> {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.milliseconds(Int64(min(timeout, .seconds(1)).milliseconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    // Off: the fields come from HTTPTypes, which admits no invalid name or value.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(AnswerCollector(maximumBytes: maximumAnswerBytes))
                }
            }
            .connect(host: host, port: port)
            .map { UpstreamConnection(channel: $0) }
            .flatMapErrorThrowing { throw UpstreamFailure.connectFailed($0) }
    }

    var isReusable: Bool { channel.isActive }

    /// Sends one call; the future holds its whole answer. A call that runs past `timeout` closes
    /// the connection: its late answer must not be taken for the next call's.
    func call(_ head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration) -> EventLoopFuture<UpstreamAnswer> {
        let promise = channel.eventLoop.makePromise(of: UpstreamAnswer.self)
        // A channel closed meanwhile may have lost its handlers and fails the write alone: then the
        // call fails too, at once, rather than at its timeout.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(UpstreamFailure.connectionClosed) }
        channel.writeAndFlush(
            UpstreamCall(head: head, body: body, deadline: .now() + .milliseconds(Int64(max(1, timeout.milliseconds))), promise: promise),
            promise: written)
        return promise.futureResult
    }

    func close() { channel.close(promise: nil) }
}

struct UpstreamCall: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let deadline: NIODeadline
    let promise: EventLoopPromise<UpstreamAnswer>
}

/// Writes a call, gathers its answer up to a size, and closes the connection when the answer
/// says it will not be kept alive, or when the call's deadline passes: its late answer must not
/// be taken for the next call's.
///
/// One timer per connection, not per call: when it fires for a deadline that a later call has
/// moved on, it is set again for that call's. Scheduling and cancelling one per call cost about
/// 5 µs of a forwarded request.
private final class AnswerCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = UpstreamCall
    typealias OutboundOut = HTTPClientRequestPart

    private let maximumBytes: Int
    private var pending: EventLoopPromise<UpstreamAnswer>?
    private var deadline = NIODeadline.distantFuture
    private var timer: (task: Scheduled<Void>, at: NIODeadline)?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(maximumBytes: Int) { self.maximumBytes = maximumBytes }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        // A closed channel would drop the write without a word; a busy one is a programming error.
        guard context.channel.isActive, pending == nil else {
            call.promise.fail(UpstreamFailure.closedBeforeSending)
            promise?.fail(UpstreamFailure.closedBeforeSending)
            return
        }
        pending = call.promise
        deadline = call.deadline
        if timer.map({ $0.at > deadline }) ?? true { watch(context: context) }
        head = nil
        body.clear()
        context.write(wrapOutboundOut(.head(call.head)), promise: nil)
        if let payload = call.body, payload.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let answerHead):
            head = answerHead
        case .body(var part):
            guard body.readableBytes + part.readableBytes <= maximumBytes else {
                fail(UpstreamFailure.answerTooLarge)
                context.close(promise: nil)
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard let promise = pending, let answerHead = head else { return }
            pending = nil
            promise.succeed(UpstreamAnswer(head: answerHead, body: body))
            body = ByteBuffer()
            if !answerHead.isKeepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        fail(UpstreamFailure.connectionClosed)
        context.fireChannelInactive()
    }

    /// Sets the timer for the pending call's deadline.
    private func watch(context: ChannelHandlerContext) {
        timer?.task.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = (context.eventLoop.scheduleTask(deadline: deadline) {
            let (collector, context) = bound.value
            collector.timer = nil
            guard collector.pending != nil else { return }  // idle: the next call sets it again
            if NIODeadline.now() < collector.deadline { return collector.watch(context: context) }
            collector.fail(UpstreamFailure.timedOut)
            context.close(promise: nil)
        }, deadline)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error is HTTPParserError ? UpstreamFailure.malformedAnswer(error) : UpstreamFailure.connectionClosed)
        context.close(promise: nil)
    }

    private func fail(_ error: UpstreamFailure) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
