import CSQLite
import Foundation

/// A failed SQLite call: the extended result code and SQLite's message.
public struct SQLiteError: SQLFailure, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String

    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    public var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY: C macros that Swift does not import.
        code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8)
    }

    public var description: String { "SQLite error \(code): \(message)" }
}

/// One SQLite connection with a cache of prepared statements. Synchronous: it runs on the thread
/// that calls it, and is used by one thread at a time (the database hands it out).
final class SQLiteConnection: @unchecked Sendable {
    // The handle and the cache are touched only by the one thread that holds the connection.
    private var handle: OpaquePointer?
    private var statements: [String: PreparedStatement] = [:]
    /// Statements built with a variable number of `?` (IN lists) would grow the cache without end.
    private static let statementCacheLimit = 512

    init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: message)
        }
        sqlite_nio_sqlite3_extended_result_codes(handle, 1)
        self.handle = handle
    }

    deinit { close() }

    /// Runs one statement with positional `?` binds and returns every row.
    func query(_ sql: String, _ binds: [DatabaseValue]) throws -> [DatabaseRow] {
        var rows: [DatabaseRow] = []
        try forEachRow(sql, binds) { rows.append($0) }
        return rows
    }

    /// Runs one statement and hands each row to `body` as it is read, without collecting them.
    func forEachRow(_ sql: String, _ binds: [DatabaseValue], _ body: (DatabaseRow) throws -> Void) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(binds, connection: self)
        while try statement.step(connection: self) { try body(statement.currentRow()) }
    }

    /// Runs one statement without binds through the statement cache (BEGIN, SAVEPOINT, COMMIT):
    /// cheaper than `executeScript`, which parses its SQL every time.
    func run(_ sql: String) throws {
        try forEachRow(sql, []) { _ in }
    }

    /// Runs SQL that may hold several statements and no binds (pragmas, DDL).
    func executeScript(_ sql: String) throws {
        try check(sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil))
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite_nio_sqlite3_changes64(handle)) }

    func close() {
        guard let handle else { return }
        statements.removeAll()  // finalises every statement before the handle goes
        sqlite_nio_sqlite3_close_v2(handle)
        self.handle = nil
    }

    private func prepared(_ sql: String) throws -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        var raw: OpaquePointer?
        try check(sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil))
        guard let raw else { throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement: \(sql)") }
        let statement = PreparedStatement(raw)
        if statements.count >= Self.statementCacheLimit { statements.removeAll() }
        statements[sql] = statement
        return statement
    }

    @discardableResult
    func check(_ code: Int32) throws -> Int32 {
        guard code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE else {
            throw SQLiteError(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
        }
        return code
    }
}

/// A compiled statement, reset and reused for every execution of the same SQL.
private final class PreparedStatement {
    private let raw: OpaquePointer
    private lazy var columns: ColumnNames = ColumnNames(
        (0..<sqlite_nio_sqlite3_column_count(raw)).map { String(cString: sqlite_nio_sqlite3_column_name(raw, $0)) })

    init(_ raw: OpaquePointer) { self.raw = raw }

    deinit { sqlite_nio_sqlite3_finalize(raw) }

    func bind(_ values: [DatabaseValue], connection: SQLiteConnection) throws {
        let expected = Int(sqlite_nio_sqlite3_bind_parameter_count(raw))
        guard values.count == expected else {
            throw SQLiteError(code: SQLITE_RANGE, message: "statement takes \(expected) values, got \(values.count)")
        }
        for (offset, value) in values.enumerated() {
            let position = Int32(offset + 1)
            let code: Int32 =
                switch value {
                case .integer(let number): sqlite_nio_sqlite3_bind_int64(raw, position, Int64(number))
                case .float(let number): sqlite_nio_sqlite3_bind_double(raw, position, number)
                case .text(let text): sqlite_nio_sqlite3_bind_text64(raw, position, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
                case .blob(let data):
                    data.withUnsafeBytes { bytes in
                        sqlite_nio_sqlite3_bind_blob64(raw, position, bytes.baseAddress, UInt64(bytes.count), transient)
                    }
                case .null: sqlite_nio_sqlite3_bind_null(raw, position)
                }
            try connection.check(code)
        }
    }

    /// Advances to the next row; `false` when the statement is done.
    func step(connection: SQLiteConnection) throws -> Bool {
        try connection.check(sqlite_nio_sqlite3_step(raw)) == SQLITE_ROW
    }

    func currentRow() -> DatabaseRow {
        var values: [DatabaseValue] = []
        values.reserveCapacity(columns.names.count)
        for column in 0..<Int32(columns.names.count) {
            switch sqlite_nio_sqlite3_column_type(raw, column) {
            case SQLITE_INTEGER: values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(raw, column))))
            case SQLITE_FLOAT: values.append(.float(sqlite_nio_sqlite3_column_double(raw, column)))
            case SQLITE_TEXT:
                let count = Int(sqlite_nio_sqlite3_column_bytes(raw, column))
                let text = sqlite_nio_sqlite3_column_text(raw, column).map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
                values.append(.text(text ?? ""))
            case SQLITE_BLOB:
                let count = Int(sqlite_nio_sqlite3_column_bytes(raw, column))
                values.append(.blob(sqlite_nio_sqlite3_column_blob(raw, column).map { Data(bytes: $0, count: count) } ?? Data()))
            default: values.append(.null)
            }
        }
        return DatabaseRow(columns: columns, values: values)
    }

    func reset() {
        sqlite_nio_sqlite3_reset(raw)
        sqlite_nio_sqlite3_clear_bindings(raw)
    }
}

/// SQLite copies the bound text or blob before the call returns (`SQLITE_TRANSIENT`).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
