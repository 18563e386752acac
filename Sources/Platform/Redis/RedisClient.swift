import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Redis for the whole process: a small pool of pipelining connections, opened when needed and
/// reopened after a failure without a restart.
///
/// Each command goes to the open connection with the fewest commands in flight. While Redis is
/// down, commands fail at once with `RedisError.unavailable` (see `RedisPoolState` for the
/// backoff) rather than waiting; the first command after the backoff tries again, and once Redis
/// is back everything works as before. A command in flight when a connection breaks fails with
/// `RedisError.connectionClosed` and is not sent again: it may have run.
///
/// Blocking reads (`XREADGROUP ... BLOCK`) hold a connection for as long as they block; give a
/// consumer a connection of its own with `makeDedicatedConnection()`.
public final class RedisClient: RedisCommandSender, Sendable {
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<RedisPoolState<RedisConnection>>

    /// Connects nothing yet: the first command opens the first connection.
    public init(
        configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        state = Mutex(RedisPoolState(endpoint: configuration.endpoint, size: configuration.poolSize))
    }

    /// - Throws: `RedisConfigurationError` naming what is wrong with `url`.
    public convenience init(
        url: String, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) throws {
        self.init(configuration: try RedisConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Sends `command` on a pooled connection and waits for its reply.
    /// - Throws: `RedisError.unavailable` when no connection can be had, and what
    ///   `RedisConnection.send(_:)` throws.
    public func send(_ command: [RESPArgument]) async throws -> RESPValue {
        try await connection().send(command)
    }

    /// `send(_:)` for a caller on an event loop that must not suspend: nil while the pool has no
    /// open connection yet (the first one is then on its way; `send(_:)` waits for it), a failed
    /// future with `RedisError.unavailable` while Redis is down.
    public func reply(to command: [RESPArgument]) -> EventLoopFuture<RESPValue>? {
        switch route() {
        case .ready(let connection): connection.reply(to: command)
        case .awaiting: nil
        case .refused(let reason): eventLoopGroup.any().makeFailedFuture(RedisError.unavailable(reason))
        }
    }

    /// `eval(script:keys:arguments:)` as `reply(to:)` sends a command.
    public func evalReply(script: String, keys: [String] = [], arguments: [RESPArgument] = []) -> EventLoopFuture<RESPValue>? {
        let (byDigest, inFull) = Self.evalCommands(script: script, keys: keys, arguments: arguments)
        return reply(to: byDigest)?.flatMapError { error in
            guard (error as? RedisError)?.serverCode == "NOSCRIPT", let sent = self.reply(to: inFull) else {
                return self.eventLoopGroup.any().makeFailedFuture(error)
            }
            return sent
        }
    }

    /// Sends a blocking command on a pooled connection, which other commands avoid meanwhile.
    /// For a consumer that blocks again and again, `makeDedicatedConnection()` is the better home.
    public func send(_ command: [RESPArgument], blockMilliseconds: Int) async throws -> RESPValue {
        try await connection().send(command, blockMilliseconds: blockMilliseconds)
    }

    /// Sends `commands` in one write on one pooled connection; each gets its own outcome, in order.
    /// - Throws: `RedisError.unavailable` when no connection can be had.
    public func pipeline(_ commands: [[RESPArgument]]) async throws -> [Result<RESPValue, RedisError>] {
        try await connection().pipeline(commands)
    }

    /// A connection outside the pool, for commands that hold it (blocking reads). The caller
    /// closes it.
    /// - Throws: `RedisError.unavailable` when Redis cannot be reached, `RedisError.server` when
    ///   it refuses the login.
    public func makeDedicatedConnection() async throws -> RedisConnection {
        try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    /// Closes every pooled connection; commands still waiting fail with
    /// `RedisError.connectionClosed`, later ones with `RedisError.unavailable`.
    public func close() async {
        let (connections, attempts) = state.withLock { $0.close() }
        for attempt in attempts { _ = try? await attempt.value }  // it closes its connection itself
        for connection in connections { await connection.close() }
    }

    // MARK: Pool

    /// Where the next command goes: the pool's choice, made under the lock together with the
    /// start of any connection attempt, so no two commands start one for the same slot.
    private enum Route {
        case ready(RedisConnection)
        case awaiting(Task<RedisConnection, any Error>)
        case refused(String)
    }

    private func connection() async throws -> RedisConnection {
        switch route() {
        case .ready(let connection): return connection
        case .awaiting(let task): return try await task.value
        case .refused(let reason): throw RedisError.unavailable(reason)
        }
    }

    private func route() -> Route {
        state.withLock { state -> Route in
            switch state.choose(now: .now) {
            case .use(let connection):
                return .ready(connection)
            case .useAndGrow(let connection, let slot):
                state.attemptStarted(slot: slot, task: attempt(slot: slot))
                return .ready(connection)
            case .connect(let slot):
                let task = attempt(slot: slot)
                state.attemptStarted(slot: slot, task: task)
                return .awaiting(task)
            case .wait(let task):
                return .awaiting(task)
            case .refuse(let reason):
                return .refused(reason)
            }
        }
    }

    /// Opens a connection for `slot` in a task of its own, so that commands arriving meanwhile
    /// can wait for the same attempt instead of starting more.
    private func attempt(slot: Int) -> Task<RedisConnection, any Error> {
        Task { [self] in
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup)
            } catch {
                let reason = (error as? RedisError).map(RedisClient.describe) ?? "\(error)"
                let backoffMilliseconds = state.withLock {
                    $0.attemptFailed(slot: slot, reason: reason, now: .now, jitter: Double.random(in: 0...1))
                }
                logger.warning(
                    "redis connection failed; commands fail fast until the next attempt",
                    metadata: ["redis.endpoint": .string(configuration.endpoint), "error.message": .string(reason),
                               "retry.backoff_ms": .stringConvertible(backoffMilliseconds)])
                throw RedisError.unavailable("\(reason); next connection attempt in \(backoffMilliseconds) ms")
            }
            let (kept, wasReconnect) = state.withLock { state -> (Bool, Bool) in
                let wasReconnect = state.consecutiveFailures > 0
                return (state.attemptSucceeded(slot: slot, connection: connection), wasReconnect)
            }
            guard kept else {
                await connection.close()
                throw RedisError.unavailable("the redis client is closed")
            }
            if wasReconnect {
                logger.info("redis reachable again", metadata: ["redis.endpoint": .string(configuration.endpoint)])
            }
            return connection
        }
    }

    /// The error's own words, without the "redis is unavailable" that the caller's error adds.
    private static func describe(_ error: RedisError) -> String {
        switch error {
        case .unavailable(let reason): reason
        default: error.description
        }
    }
}
