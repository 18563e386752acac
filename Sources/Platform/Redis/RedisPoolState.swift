import ERPKernel

/// A connection as the pool sees it.
protocol RedisPoolMember: AnyObject, Sendable {
    var isOpen: Bool { get }
    var pendingCommands: Int { get }
    var blockingCommands: Int { get }
}

extension RedisConnection: RedisPoolMember {}

/// Which connection of the pool takes the next command, when to open one, and how long to wait
/// after a failed attempt. Pure state, kept under the client's lock; the client does the I/O.
///
/// Connections open lazily: the first command opens one, and another opens (up to the pool size)
/// when every open connection has commands in flight. A connection that closed is replaced by
/// the next command that needs it. After a failed attempt no slot tries again for a backoff of
/// 100 ms, doubling to 5 s, with jitter; meanwhile commands that find no open connection fail at
/// once with `RedisError.unavailable` instead of waiting for a server that is down.
struct RedisPoolState<Connection: RedisPoolMember> {
    enum Slot {
        case empty
        case connecting(Task<Connection, any Error>)
        case open(Connection)
    }

    enum Choice: Sendable {
        /// Send on this connection.
        case use(Connection)
        /// Send on this connection, and open one more in `slot` for the commands to come.
        case useAndGrow(Connection, slot: Int)
        /// Open a connection in `slot` and send on it.
        case connect(slot: Int)
        /// Wait for the attempt under way and send on its connection.
        case wait(Task<Connection, any Error>)
        /// Fail the command with `RedisError.unavailable` and this reason.
        case refuse(String)
    }

    /// `host:port`, for messages.
    let endpoint: String
    private(set) var slots: [Slot]
    private var nextSlot = 0
    private(set) var consecutiveFailures = 0
    /// No attempt before this instant; nil when the last attempt succeeded.
    private(set) var retryAt: ContinuousClock.Instant?
    private var lastFailure = ""
    private(set) var isClosed = false

    init(endpoint: String, size: Int) {
        precondition(size > 0, "a pool needs one connection at least")
        self.endpoint = endpoint
        slots = Array(repeating: .empty, count: size)
    }

    /// Picks where the next command goes: the open connection with the fewest commands in flight,
    /// preferring those without a blocking command, taking the slots in turn so ties spread.
    mutating func choose(now: ContinuousClock.Instant) -> Choice {
        guard !isClosed else { return .refuse("the redis client for \(endpoint) is closed") }
        let start = nextSlot
        nextSlot = (nextSlot + 1) % slots.count
        var best: (connection: Connection, pending: Int)?
        var bestBlocked: (connection: Connection, pending: Int)?
        var emptySlot: Int?
        var attempt: Task<Connection, any Error>?
        for offset in 0..<slots.count {
            let index = (start + offset) % slots.count
            switch slots[index] {
            case .open(let connection) where !connection.isOpen:
                slots[index] = .empty  // it closed; the next command that needs it opens a new one
                emptySlot = emptySlot ?? index
            case .open(let connection) where connection.blockingCommands > 0:
                let pending = connection.pendingCommands
                if pending < bestBlocked?.pending ?? Int.max { bestBlocked = (connection, pending) }
            case .open(let connection):
                let pending = connection.pendingCommands
                if pending == 0 { return .use(connection) }
                if pending < best?.pending ?? Int.max { best = (connection, pending) }
            case .connecting(let task):
                attempt = attempt ?? task
            case .empty:
                emptySlot = emptySlot ?? index
            }
        }
        // One attempt at a time: while the server is down, one failure is enough to learn it.
        let mayConnect = attempt == nil && (retryAt.map { now >= $0 } ?? true)
        if let best {
            if let emptySlot, mayConnect { return .useAndGrow(best.connection, slot: emptySlot) }
            return .use(best.connection)
        }
        if let attempt { return .wait(attempt) }
        if let emptySlot, mayConnect { return .connect(slot: emptySlot) }
        if let bestBlocked { return .use(bestBlocked.connection) }
        return .refuse(unavailableReason(now: now))
    }

    mutating func attemptStarted(slot: Int, task: Task<Connection, any Error>) {
        slots[slot] = .connecting(task)
    }

    /// Puts the new connection in its slot.
    /// - Returns: false when the pool closed meanwhile: the caller closes the connection.
    mutating func attemptSucceeded(slot: Int, connection: Connection) -> Bool {
        consecutiveFailures = 0
        retryAt = nil
        lastFailure = ""
        guard !isClosed else { return false }
        slots[slot] = .open(connection)
        return true
    }

    /// Frees the slot and starts the backoff.
    /// - Parameter jitter: 0 to 1, spreading the retries of many clients.
    /// - Returns: the backoff in milliseconds.
    mutating func attemptFailed(slot: Int, reason: String, now: ContinuousClock.Instant, jitter: Double) -> Int {
        slots[slot] = .empty
        consecutiveFailures += 1
        let backoffMilliseconds = Self.backoffMilliseconds(afterFailures: consecutiveFailures, jitter: jitter)
        retryAt = now + .milliseconds(backoffMilliseconds)
        lastFailure = reason
        return backoffMilliseconds
    }

    /// Marks the pool closed and hands back what it held, for the caller to close.
    mutating func close() -> (connections: [Connection], attempts: [Task<Connection, any Error>]) {
        isClosed = true
        var connections: [Connection] = []
        var attempts: [Task<Connection, any Error>] = []
        for slot in slots {
            switch slot {
            case .open(let connection): connections.append(connection)
            case .connecting(let task): attempts.append(task)
            case .empty: break
            }
        }
        slots = Array(repeating: .empty, count: slots.count)
        return (connections, attempts)
    }

    /// 100 ms after the first failure, doubling to at most 5 s; with `jitter` the wait is between
    /// half of that and all of it.
    static func backoffMilliseconds(afterFailures failures: Int, jitter: Double) -> Int {
        let ceiling = min(5_000, 100 << min(max(failures - 1, 0), 6))
        return ceiling / 2 + Int(Double(ceiling / 2) * min(max(jitter, 0), 1))
    }

    private func unavailableReason(now: ContinuousClock.Instant) -> String {
        let wait = retryAt.map { now.duration(to: $0) } ?? .zero
        let waitMilliseconds = max(0, wait.milliseconds)
        return "\(lastFailure); next connection attempt in \(waitMilliseconds) ms"
    }
}
