import SQLiteNIO

/// Runs statements on one connection: inside a transaction for writers, one by one for readers.
public struct SQLiteExecutor: Sendable {
    let connection: SQLiteConnection
    /// What the transaction did that matters after its commit; `nil` on readers.
    let notes: TransactionNotes?

    /// Records that this transaction appended outbox events.
    func noteEventsWritten() { notes?.wroteEvents = true }

    /// Runs one statement with positional `?` binds and returns every row.
    public func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await connection.query(sql, binds)
    }

    /// Runs one statement and ignores any rows.
    public func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await connection.query(sql, binds)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public func changes() async throws -> Int {
        let rows = try await connection.query("SELECT changes() AS n")
        return rows.first?.column("n")?.integer ?? 0
    }
}

/// Facts about one write transaction, written under the write lock and read after the commit.
final class TransactionNotes: @unchecked Sendable {
    // Only touched by the task that holds the database's write lock, then by the same task after it.
    var wroteEvents = false
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
