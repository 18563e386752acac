import NIOCore

/// Encoded commands on their way to the socket, with one promise for all their replies: a
/// pipeline of 16 commands costs its caller one wake-up, not 16.
struct RedisRequest: Sendable {
    var bytes: ByteBuffer
    var commands: Int
    /// Each command's outcome, in order; completed once the last reply is in or the connection
    /// fails (the commands without a reply then fail with its reason). Never failed itself.
    var replies: EventLoopPromise<[Result<RESPValue, RedisError>]>
    /// How long the replies may take from the moment they are queued; nil waits for ever (`BLOCK 0`).
    var timeout: TimeAmount?
}

/// Pairs replies with commands on one connection.
///
/// Redis answers in the order it was asked, so the requests wait in a FIFO and each reply
/// belongs to the oldest. The handler lives on its channel's event loop and is touched only there.
///
/// A command that outlives its deadline closes the connection: its reply may still come, and
/// would then be taken for the answer to the command behind it. Closing fails every waiting
/// command at once, and the pool opens a fresh connection for the next one.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct WaitingRequest {
        let promise: EventLoopPromise<[Result<RESPValue, RedisError>]>
        let commands: Int
        var replies: [Result<RESPValue, RedisError>]
        let deadline: NIODeadline

        /// Completes the request with the replies so far and `reason` for the commands left.
        func fail(_ reason: RedisError) {
            promise.succeed(replies + Array(repeating: .failure(reason), count: commands - replies.count))
        }
    }

    private var waiting = CircularBuffer<WaitingRequest>(initialCapacity: 16)
    /// Set once the connection is going away; every command written after that fails with it.
    private var closedReason: RedisError?
    /// One timer at a time, due at the earliest deadline it has been told about.
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    private let onPush: (@Sendable (RESPValue) -> Void)?

    init(onPush: (@Sendable (RESPValue) -> Void)?) {
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedReason {
            request.replies.succeed(Array(repeating: .failure(closedReason), count: request.commands))
            promise?.fail(closedReason)
            return
        }
        let deadline = request.timeout.map { NIODeadline.now() + $0 } ?? .distantFuture
        var replies: [Result<RESPValue, RedisError>] = []
        replies.reserveCapacity(request.commands)
        waiting.append(WaitingRequest(promise: request.replies, commands: request.commands, replies: replies, deadline: deadline))
        if deadline < timerDeadline { armTimer(context: context, deadline: deadline) }
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if case .push = value {
            onPush?(value)
            return
        }
        guard !waiting.isEmpty else {
            guard closedReason == nil else { return }  // the answer to a command that already timed out
            fail(with: .protocolError("redis sent \(value) while no command was waiting for a reply"), context: context)
            return
        }
        if case .error(let message) = value {
            waiting[waiting.startIndex].replies.append(.failure(RedisError.server(message)))
        } else {
            waiting[waiting.startIndex].replies.append(.success(value))
        }
        guard waiting[waiting.startIndex].replies.count == waiting[waiting.startIndex].commands else { return }
        let done = waiting.removeFirst()
        if waiting.isEmpty { disarmTimer() }
        done.promise.succeed(done.replies)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failWaiting(with: .connectionClosed)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failWaiting(with: .connectionClosed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A RESP error from the decoder says what was malformed; an I/O error ends the connection.
        fail(with: error as? RedisError ?? .connectionClosed, context: context)
    }

    // MARK: Failing

    private func fail(with reason: RedisError, context: ChannelHandlerContext) {
        failWaiting(with: reason)
        context.close(promise: nil)
    }

    private func failWaiting(with reason: RedisError) {
        // Set first: a promise's callbacks may write again, and that write must fail too.
        if closedReason == nil { closedReason = .connectionClosed }
        disarmTimer()
        while let request = waiting.popFirst() { request.fail(reason) }
    }

    // MARK: Timeouts

    private func armTimer(context: ChannelHandlerContext, deadline: NIODeadline) {
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timerFired(context: context)
        }
    }

    private func disarmTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = .distantFuture
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        timerDeadline = .distantFuture
        let now = NIODeadline.now()
        guard waiting.contains(where: { $0.deadline <= now }) else {
            // The commands the timer was armed for have their replies; watch the next deadline.
            let next = waiting.map(\.deadline).min() ?? .distantFuture
            if next != .distantFuture { armTimer(context: context, deadline: next) }
            return
        }
        if closedReason == nil { closedReason = .connectionClosed }
        while let request = waiting.first, request.deadline <= now {
            waiting.removeFirst()
            request.fail(.timeout)
        }
        fail(with: .connectionClosed, context: context)
    }
}
