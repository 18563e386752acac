/// Runs statements on the connection a read or write was given. Synchronous: it lives on the
/// database's thread for the length of one `read` or `write` body and must not escape it.
public struct SQLiteExecutor {
    let connection: SQLiteConnection
    /// What the transaction did that matters after its commit; `nil` on readers.
    let notes: TransactionNotes?

    /// Records that this transaction appended outbox events.
    func noteEventsWritten() { notes?.wroteEvents = true }

    /// Runs one statement with positional `?` binds and returns every row.
    @discardableResult
    public func query(_ sql: String, _ binds: [DatabaseValue] = []) throws -> [DatabaseRow] {
        try connection.query(sql, binds)
    }

    /// Runs one statement and ignores any rows.
    public func execute(_ sql: String, _ binds: [DatabaseValue] = []) throws {
        try connection.forEachRow(sql, binds) { _ in }
    }

    /// Runs one statement and hands each row to `body` without collecting them (large reads).
    public func forEachRow(_ sql: String, _ binds: [DatabaseValue] = [], _ body: (DatabaseRow) throws -> Void) throws {
        try connection.forEachRow(sql, binds, body)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public func changes() -> Int { connection.changes }
}

/// Facts about one write transaction, written on the writer thread and read after the commit.
final class TransactionNotes: @unchecked Sendable {
    // Touched by the writer thread during the group, then by the draining task after it.
    var wroteEvents = false
}
