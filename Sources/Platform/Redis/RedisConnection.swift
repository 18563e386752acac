import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to Redis that pipelines: commands go out as they are sent, without waiting
/// for the replies before them, and each caller gets its own reply.
///
/// On connect it logs in (`AUTH`) when the configuration has a password, asks for RESP3
/// (`HELLO 3`, staying on RESP2 when the server does not know it) and selects the database when
/// it is not 0. Pub/sub and `MONITOR` are not supported: their messages are not replies.
public final class RedisConnection: RedisCommandSender, Sendable {
    /// 3 when the server speaks RESP3 on this connection, 2 when it does not.
    public let protocolVersion: Int
    /// Where the connection goes, without the password.
    public let endpoint: String
    private let channel: any Channel
    private let commandTimeoutMilliseconds: Int
    private let pending = Atomic<Int>(0)
    private let blocking = Atomic<Int>(0)

    private init(channel: any Channel, endpoint: String, commandTimeoutMilliseconds: Int, protocolVersion: Int) {
        self.channel = channel
        self.endpoint = endpoint
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        self.protocolVersion = protocolVersion
    }

    /// Opens a connection and greets the server.
    /// - Parameter onPush: called on the connection's event loop with each RESP3 push message
    ///   (client-side caching invalidations, for instance); pushes are dropped without it.
    /// - Throws: `RedisError.unavailable` when no connection can be made within the connect
    ///   timeout, `RedisError.server` when the server refuses the login or the database.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) async throws -> RedisConnection {
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeoutMilliseconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(RESPMessageDecoder()), RedisCommandHandler(onPush: onPush),
                    ])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisError.unavailable("cannot connect to \(configuration.endpoint): \(error)")
        }
        let greeter = RedisConnection(
            channel: channel, endpoint: configuration.endpoint,
            commandTimeoutMilliseconds: configuration.commandTimeoutMilliseconds, protocolVersion: 2)
        do {
            let protocolVersion = try await greeter.greet(configuration)
            return RedisConnection(
                channel: channel, endpoint: configuration.endpoint,
                commandTimeoutMilliseconds: configuration.commandTimeoutMilliseconds, protocolVersion: protocolVersion)
        } catch {
            await greeter.close()
            throw error
        }
    }

    /// Logs in, picks the protocol and the database; returns the protocol version.
    private func greet(_ configuration: RedisConfiguration) async throws -> Int {
        if let password = configuration.password {
            var login: [RESPArgument] = ["AUTH"]
            if let username = configuration.username { login.append(.string(username)) }
            login.append(.string(password))
            do {
                _ = try await send(login)
            } catch RedisError.server(let message) {
                let user = configuration.username.map { " as \($0)" } ?? ""
                throw RedisError.server("\(configuration.endpoint) refused the login\(user): \(message)")
            }
        }
        var protocolVersion = 2
        do {
            _ = try await send(["HELLO", "3"])
            protocolVersion = 3
        } catch RedisError.server(_) {
            // Redis before 6 knows no HELLO, and stays on RESP2.
        }
        if configuration.database != 0 {
            do {
                _ = try await send(["SELECT", .integer(configuration.database)])
            } catch RedisError.server(let message) {
                throw RedisError.server("\(configuration.endpoint) refused database \(configuration.database): \(message)")
            }
        }
        return protocolVersion
    }

    /// Whether the connection is still up; a closed one never opens again.
    public var isOpen: Bool { channel.isActive }

    /// Commands sent and not yet answered.
    public var pendingCommands: Int { pending.load(ordering: .relaxed) }

    /// Blocking commands (`send(_:blockMilliseconds:)`) sent and not yet answered.
    public var blockingCommands: Int { blocking.load(ordering: .relaxed) }

    /// Sends `command` and waits for its reply, at most the command timeout of the configuration.
    /// Cancelling the task does not withdraw a command already sent; the timeout bounds the wait.
    /// - Throws: `RedisError.server` when Redis refuses it, `.timeout` (the connection is then
    ///   closed), `.connectionClosed`.
    public func send(_ command: [RESPArgument]) async throws -> RESPValue {
        try await send(command, timeout: .milliseconds(Int64(commandTimeoutMilliseconds)))
    }

    /// Sends a command the server may hold for up to `blockMilliseconds` before it answers, such
    /// as `XREADGROUP ... BLOCK`: it may take that long plus the command timeout; 0 waits for ever.
    /// Every command behind it on this connection waits too, which is why blocking reads belong on
    /// a connection of their own (`RedisClient.makeDedicatedConnection()`).
    public func send(_ command: [RESPArgument], blockMilliseconds: Int) async throws -> RESPValue {
        precondition(blockMilliseconds >= 0, "blockMilliseconds must be 0 (for ever) or more")
        _ = blocking.wrappingAdd(1, ordering: .relaxed)
        defer { _ = blocking.wrappingSubtract(1, ordering: .relaxed) }
        let timeout: TimeAmount? =
            blockMilliseconds == 0 ? nil : .milliseconds(Int64(blockMilliseconds) + Int64(commandTimeoutMilliseconds))
        return try await send(command, timeout: timeout)
    }

    /// Sends `commands` in one write and returns each one's outcome, in order. A command Redis
    /// refuses fails alone; the others still run (this is not a transaction).
    /// - Throws: `RedisError.connectionClosed` when the connection is closed before the write.
    public func pipeline(_ commands: [[RESPArgument]]) async throws -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        guard isOpen else { throw RedisError.connectionClosed }
        var bytes = channel.allocator.buffer(capacity: commands.reduce(0) { $0 + RESPEncoder.estimatedLength(of: $1) })
        for command in commands {
            precondition(!command.isEmpty, "a Redis command needs at least its name")
            RESPEncoder.encode(command, into: &bytes)
        }
        _ = pending.wrappingAdd(commands.count, ordering: .relaxed)
        defer { _ = pending.wrappingSubtract(commands.count, ordering: .relaxed) }
        return try await submitted(bytes, commands: commands.count, timeout: .milliseconds(Int64(commandTimeoutMilliseconds))).get()
    }

    /// Closes the connection; commands still waiting fail with `RedisError.connectionClosed`.
    public func close() async {
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
    }

    /// `send(_:)` for a caller on an event loop that must not suspend: the reply, on this
    /// connection's event loop.
    public func reply(to command: [RESPArgument]) -> EventLoopFuture<RESPValue> {
        submit(command, timeout: .milliseconds(Int64(commandTimeoutMilliseconds)))
    }

    private func send(_ command: [RESPArgument], timeout: TimeAmount?) async throws -> RESPValue {
        try await submit(command, timeout: timeout).get()
    }

    private func submit(_ command: [RESPArgument], timeout: TimeAmount?) -> EventLoopFuture<RESPValue> {
        precondition(!command.isEmpty, "a Redis command needs at least its name")
        var bytes = channel.allocator.buffer(capacity: RESPEncoder.estimatedLength(of: command))
        RESPEncoder.encode(command, into: &bytes)
        _ = pending.wrappingAdd(1, ordering: .relaxed)
        return submitted(bytes, commands: 1, timeout: timeout).flatMapResult { replies in
            _ = self.pending.wrappingSubtract(1, ordering: .relaxed)
            return replies[0]
        }
    }

    /// Writes the encoded commands; the future has all their replies. When the write cannot
    /// reach the command handler (the channel is already closed), nobody else would complete the
    /// replies, so they fail here (a second completion of the promise is ignored).
    private func submitted(_ bytes: ByteBuffer, commands: Int, timeout: TimeAmount?) -> EventLoopFuture<[Result<RESPValue, RedisError>]> {
        let replies = channel.eventLoop.makePromise(of: [Result<RESPValue, RedisError>].self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in
            replies.succeed(Array(repeating: .failure(.connectionClosed), count: commands))
        }
        channel.writeAndFlush(RedisRequest(bytes: bytes, commands: commands, replies: replies, timeout: timeout), promise: written)
        return replies.futureResult
    }
}
