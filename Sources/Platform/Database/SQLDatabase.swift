/// Which SQL a database speaks. The stores write SQL both understand; the few statements that
/// differ (migrations, triggers) are chosen by this.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgresql
}

/// A service's database: reads in one consistent snapshot each, writes that commit atomically.
///
/// Both backends run a write's body as one atomic unit that sees every write queued before it:
/// writes to one database are serialised, exactly as SQLite's single writer does. A store may
/// therefore read and then write in one body (stock, sequence numbers, the audit chain's head)
/// without locks of its own.
public protocol SQLDatabase: AnyObject, Sendable {
    var name: String { get }
    var dialect: SQLDialect { get }

    /// Runs `body` in one read-only transaction: every statement sees the same committed state.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) throws -> T) async throws -> T

    /// Runs `body` as one atomic write: all its statements commit or none. Writes run in the
    /// order they are queued; `whenQueued` is called once this one is in the queue.
    func write<T: Sendable>(
        whenQueued: (@Sendable () -> Void)?, _ body: @escaping @Sendable (any SQLExecutor) throws -> T
    ) async throws -> T

    /// Calls `observer` after every committed transaction that wrote outbox events.
    func afterCommit(_ observer: @escaping @Sendable () -> Void)

    /// Writes queued and not yet committed; a gauge for the pool metrics.
    var writersWaiting: Int { get }
    /// Connections that serve reads.
    var readerCount: Int { get }

    /// The databases this one is made of: itself, or its shards. Work that spans tenants (a
    /// health check, the outbox relay) runs on each.
    var partitions: [any SQLDatabase] { get }

    /// Finishes the queued writes and closes every connection. Idempotent.
    func close() async
}

extension SQLDatabase {
    public var partitions: [any SQLDatabase] { [self] }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) throws -> T) async throws -> T {
        try await write(whenQueued: nil, body)
    }

    /// Runs one statement as its own atomic write (with the triggers it fires).
    @discardableResult
    public func writeStatement(_ sql: String, _ binds: [DatabaseValue] = []) async throws -> [DatabaseRow] {
        try await write { try $0.query(sql, binds) }
    }
}

/// Runs statements inside the transaction of one `read` or `write`. Synchronous: it lives on the
/// database's thread for the length of the body and must not escape it. Statements take
/// positional `?` binds in either dialect.
public protocol SQLExecutor {
    var dialect: SQLDialect { get }

    /// Runs one statement and returns every row.
    @discardableResult
    func query(_ sql: String, _ binds: [DatabaseValue]) throws -> [DatabaseRow]

    /// Runs one statement and ignores any rows.
    func execute(_ sql: String, _ binds: [DatabaseValue]) throws

    /// Runs several statements in order and returns each one's rows. A backend across the
    /// network sends them together: one round trip where `query` would take one each.
    func queries(_ statements: [SQLStatement]) throws -> [[DatabaseRow]]

    /// Runs one statement and hands each row to `body` without collecting them (large reads).
    func forEachRow(_ sql: String, _ binds: [DatabaseValue], _ body: (DatabaseRow) throws -> Void) throws

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    func changes() throws -> Int

    /// Records that this transaction appended outbox events (the outbox calls it).
    func noteEventsWritten()

    /// The state the writes of this group commit share; `nil` in a read.
    var writeGroup: WriteGroup? { get }
}

/// A statement with its positional binds.
public struct SQLStatement: Sendable {
    public let sql: String
    public let binds: [DatabaseValue]

    public init(_ sql: String, _ binds: [DatabaseValue] = []) {
        self.sql = sql
        self.binds = binds
    }
}

extension SQLExecutor {
    public func queries(_ statements: [SQLStatement]) throws -> [[DatabaseRow]] {
        try statements.map { try query($0.sql, $0.binds) }
    }

    @discardableResult
    public func query(_ sql: String) throws -> [DatabaseRow] { try query(sql, []) }

    public func execute(_ sql: String, _ binds: [DatabaseValue]) throws {
        try forEachRow(sql, binds) { _ in }
    }

    public func execute(_ sql: String) throws { try execute(sql, []) }

    public func forEachRow(_ sql: String, _ body: (DatabaseRow) throws -> Void) throws {
        try forEachRow(sql, [], body)
    }
}

/// A statement the database refused, in terms a store can act on whatever the backend.
public protocol SQLFailure: Error {
    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    var isUniqueViolation: Bool { get }
    /// The database server could not be reached or ended the session (a restart): nothing is
    /// wrong with the request, and the client may send it again.
    var isUnavailable: Bool { get }
}

extension SQLFailure {
    public var isUnavailable: Bool { false }
}
