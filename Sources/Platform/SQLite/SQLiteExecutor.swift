import SQLiteNIO

/// Runs statements on one connection: inside a transaction for writers, one by one for readers.
public struct SQLiteExecutor: Sendable {
    let connection: SQLiteConnection

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
