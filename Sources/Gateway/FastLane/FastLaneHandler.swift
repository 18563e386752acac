import ERPKernel
import HTTPTypes
import Mesh
import NIOCore
import NIOHTTPTypes
import ServiceRuntime

/// Sits in each client connection's pipeline in front of Hummingbird and answers the requests
/// the fast lane takes; every other request, and every request the lane declines or whose
/// call may succeed on another replica, goes on to Hummingbird unchanged.
///
/// Answers leave in the order the requests came (HTTP/1.1 pipelining): while Hummingbird owes an
/// answer, later requests follow it there; while the lane owes one, later requests wait here and
/// the connection reads no more.
final class FastLaneHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let lane: GatewayFastLane
    /// Parts read and not yet handed on or answered, each with the wrapper it came in, which is
    /// handed on as it is: unwrapping and wrapping again would cost an allocation a part.
    private var waiting: [(part: HTTPRequestPart, data: NIOAny)] = []
    /// Requests handed to Hummingbird whose answer has not ended yet.
    private var answersOwedByRouter = 0
    private var laneIsAnswering = false
    private var readHeldBack = false
    /// Between a read and its read-complete; parts handed on outside it need a read-complete of
    /// their own, since Hummingbird's async channel delivers what it read on read-complete.
    private var reading = false
    private var handedOnOutsideARead = false

    init(lane: GatewayFastLane) { self.lane = lane }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        waiting.append((unwrapInboundIn(data), data))
        handOn(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data) {
            answersOwedByRouter -= 1
            handOn(context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        // Requests pipelined behind the lane's answer wait here; reading more would only pile them
        // up. Holding back every read while the lane answers would cost two epoll calls a request.
        if laneIsAnswering, !waiting.isEmpty { readHeldBack = true } else { context.read() }
    }

    /// Takes the waiting requests in order, for as long as nobody else owes an answer first.
    private func handOn(context: ChannelHandlerContext) {
        while !laneIsAnswering, let (part, _) = waiting.first {
            // Only a method the lane takes, and only once the router owes no answer before it.
            guard case .head(let request) = part, GatewayFastLane.takes(request.method), answersOwedByRouter == 0,
                let route = request.path.flatMap({ lane.route(of: $0.prefix { $0 != "?" }) })
            else {
                passOn(waiting.removeFirst(), context: context)
                continue
            }
            // The lane takes a request whole: it needs to see the end first, and the body within its limit.
            switch requestAtFront() {
            case .incomplete:
                return
            case .forRouter:
                passOn(waiting.removeFirst(), context: context)
            case .whole(let body, let end):
                waiting.removeFirst(end + 1)
                answer(request, body: body, route: route, context: context)
            }
        }
        if handedOnOutsideARead {
            handedOnOutsideARead = false
            context.fireChannelReadComplete()
        }
    }

    private enum FrontRequest {
        /// Its end has not come yet.
        case incomplete
        /// Its body is over the lane's limit (the router bounds it), or its parts are out of order.
        case forRouter
        /// Its body (nil when it has none) and where its end waits.
        case whole(body: ByteBuffer?, end: Int)
    }

    /// The request at the front of `waiting`, whose head is there.
    private func requestAtFront() -> FrontRequest {
        var body: ByteBuffer?
        for index in waiting.indices.dropFirst() {
            switch waiting[index].part {
            case .head: return .forRouter
            case .body(var chunk):
                if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
                guard body!.readableBytes <= lane.maximumBodyBytes else { return .forRouter }
            case .end: return .whole(body: body, end: index)
            }
        }
        return .incomplete
    }

    private func passOn(_ waiting: (part: HTTPRequestPart, data: NIOAny), context: ChannelHandlerContext) {
        if case .head = waiting.part { answersOwedByRouter += 1 }
        if !reading { handedOnOutsideARead = true }
        context.fireChannelRead(waiting.data)
    }

    /// Hands a request the lane took back to the router.
    private func passOn(_ request: HTTPRequest, body: ByteBuffer?, context: ChannelHandlerContext) {
        passOn((.head(request), wrapInboundOut(.head(request))), context: context)
        if let body { passOn((.body(body), wrapInboundOut(.body(body))), context: context) }
        passOn((.end(nil), wrapInboundOut(.end(nil))), context: context)
    }

    private func answer(_ request: HTTPRequest, body: ByteBuffer?, route: GatewayFastLane.Route, context: ChannelHandlerContext) {
        let start = ContinuousClock.now
        let path = String((request.path ?? "/").prefix { $0 != "?" })
        let trace = request.headerFields[.w3cTraceparent].flatMap(TraceContext.init(traceparent:))?.child() ?? .generate()
        let outcome = lane.take(
            request, body: body, path: path, route: route, peer: context.channel.remoteAddress?.ipAddress, trace: trace, on: context.eventLoop)
        guard let outcome else {
            lane.counts.declined.increment()
            return passOn(request, body: body, context: context)
        }
        settle(outcome, of: Answering(request: request, body: body, path: path, route: route, trace: trace, start: start), context: context)
    }

    /// A request the lane answers, with what its answer and its log entry need.
    private struct Answering {
        let request: HTTPRequest
        let body: ByteBuffer?
        let path: String
        let route: GatewayFastLane.Route
        let trace: TraceContext
        let start: ContinuousClock.Instant
    }

    private func settle(_ outcome: GatewayFastLane.Outcome, of answering: Answering, context: ChannelHandlerContext) {
        switch outcome {
        case .answered(let response):
            lane.counts.answered.increment()
            write(response, answering, context: context)
        case .forwarded(let call, let complete):
            lane.counts.forwarded.increment()
            answerLater(call, context: context) { handler, result in
                switch result {
                // Within the budget the router's retries keep, as their first attempt was this one;
                // a POST only with an idempotency key, as the router's.
                case _ where GatewayFastLane.mayRetry(result)
                    && ResilientServiceClient.isRepeatable(method: answering.request.method, headers: answering.request.headerFields)
                    && answering.route.retries.mayRetry():
                    handler.lane.counts.retried.increment()
                    handler.passOn(answering.request, body: answering.body, context: context)
                case .success(let response):
                    handler.write(complete(response), answering, context: context)
                case .failure(let error):
                    handler.write(GatewayFastLane.problem(error, path: answering.path, trace: answering.trace), answering, context: context)
                }
            }
        case .admitting(let admission):
            // Its `recover` made every failure an answer.
            answerLater(admission, context: context) { handler, result in
                if case .success(let outcome) = result { handler.settle(outcome, of: answering, context: context) }
            }
        }
    }

    /// Holds the requests behind this one until `future` completes, then runs `then` and goes on.
    private func answerLater<T>(
        _ future: EventLoopFuture<T>, context: ChannelHandlerContext, then: @escaping (FastLaneHandler, Result<T, any Error>) -> Void
    ) {
        laneIsAnswering = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        future.whenComplete { result in
            let (handler, context) = bound.value
            handler.laneIsAnswering = false
            then(handler, result)
            guard !handler.laneIsAnswering else { return }
            if handler.readHeldBack {
                handler.readHeldBack = false
                context.read()
            }
            handler.handOn(context: context)
        }
    }

    /// Writes an answer with what the middleware would have added (trace, request ID, security
    /// headers) and records it as the access log middleware does.
    private func write(_ response: ServiceResponse, _ answering: Answering, context: ChannelHandlerContext) {
        let (request, trace) = (answering.request, answering.trace)
        var headers = response.headers
        headers[.w3cTraceparent] = trace.traceparent
        if let requestID = request.headerFields[.requestID], requestID.utf8.count <= 200 { headers[.requestID] = requestID }
        headers[.contentLength] = String(response.body.readableBytes)
        SecurityHeadersMiddleware.add(to: &headers)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: response.status, headerFields: headers))), promise: nil)
        if response.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(response.body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        var logger = lane.logger
        if logger.logLevel <= .info {
            logger[metadataKey: "trace.id"] = .string(trace.traceID)
            logger[metadataKey: "span.id"] = .string(trace.spanID)
        }
        AccessLogMiddleware.record(
            method: request.method, path: answering.path, route: answering.route.template,
            status: response.status.code, elapsed: ContinuousClock.now - answering.start, logger: logger, metrics: lane.metrics)
    }
}
