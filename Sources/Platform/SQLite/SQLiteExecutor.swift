/// Runs statements on the SQLite connection a read or write was given.
struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    /// What the transaction did that matters after its commit; `nil` on readers.
    let notes: TransactionNotes?

    var dialect: SQLDialect { .sqlite }

    func noteEventsWritten() { notes?.wroteEvents = true }

    var writeGroup: WriteGroup? { notes?.group }

    @discardableResult
    func query(_ sql: String, _ binds: [DatabaseValue]) throws -> [DatabaseRow] {
        try connection.query(sql, binds)
    }

    func forEachRow(_ sql: String, _ binds: [DatabaseValue], _ body: (DatabaseRow) throws -> Void) throws {
        try connection.forEachRow(sql, binds, body)
    }

    func changes() -> Int { connection.changes }
}
