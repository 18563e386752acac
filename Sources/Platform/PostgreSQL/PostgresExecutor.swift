import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Runs statements on the PostgreSQL connection a read or write was given, blocking the
/// database's thread for each answer (the stores' bodies are synchronous, as with SQLite).
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    /// What the transaction did that matters after its commit; `nil` on readers.
    let notes: TransactionNotes?
    private let state = State()

    /// Rows a large read fetches per round trip.
    static let fetchSize = 2_000
    /// The longest wait for one statement's answer. A server that stays silent longer is taken
    /// for gone: the statement fails and its connection is closed (a late answer would belong
    /// to no statement).
    static let answerLimit = TimeAmount.seconds(60)

    init(connection: PostgresConnection, logger: Logger, notes: TransactionNotes?) {
        self.connection = connection
        self.logger = logger
        self.notes = notes
    }

    var dialect: SQLDialect { .postgresql }

    func noteEventsWritten() { notes?.wroteEvents = true }

    func changes() -> Int { state.changes }

    @discardableResult
    func query(_ sql: String, _ binds: [DatabaseValue]) throws -> [DatabaseRow] {
        let result = try run(sql, binds)
        guard let first = result.rows.first else { return [] }
        let columns = ColumnNames(first.map(\.columnName))
        return try result.rows.map { try Self.row($0, columns: columns) }
    }

    func execute(_ sql: String, _ binds: [DatabaseValue]) throws {
        _ = try run(sql, binds)
    }

    /// A SELECT reads through a cursor, `fetchSize` rows at a time, so a large read (an export)
    /// never holds all its rows in memory; other statements run at once.
    func forEachRow(_ sql: String, _ binds: [DatabaseValue], _ body: (DatabaseRow) throws -> Void) throws {
        guard Self.isSelect(sql) else {
            for row in try query(sql, binds) { try body(row) }
            return
        }
        state.cursors += 1
        let cursor = "rows_\(state.cursors)"
        try execute("DECLARE \(cursor) NO SCROLL CURSOR FOR \(sql)", binds)
        var columns: ColumnNames?
        while true {
            let batch = try run("FETCH \(Self.fetchSize) FROM \(cursor)", [])
            for row in batch.rows {
                let names = columns ?? ColumnNames(row.map(\.columnName))
                columns = names
                try body(try Self.row(row, columns: names))
            }
            if batch.rows.count < Self.fetchSize { break }
        }
        try execute("CLOSE \(cursor)", [])
    }

    /// Runs a statement that is not part of a store's work (BEGIN, COMMIT, SAVEPOINT).
    func control(_ sql: String) throws { _ = try run(sql, []) }

    private func run(_ sql: String, _ binds: [DatabaseValue]) throws -> PostgresQueryResult {
        let query = PostgresQuery(unsafeSQL: Placeholders.numbered(sql), binds: try Self.bindings(binds))
        do {
            let result = try Self.answer(to: connection.query(query, logger: logger), on: connection)
            state.changes = result.metadata.rows ?? 0
            return result
        } catch let error as PSQLError {
            throw PostgresError(error, sql: sql)
        }
    }

    /// Blocks this (non-event-loop) thread for the answer, at most `answerLimit`.
    private static func answer<T: Sendable>(to future: EventLoopFuture<T>, on connection: PostgresConnection) throws -> T {
        let limited = future.eventLoop.makePromise(of: T.self)
        let timer = future.eventLoop.scheduleTask(in: answerLimit) {
            limited.fail(PostgresError(sqlState: nil, message: "no answer within \(answerLimit.nanoseconds / 1_000_000_000) s"))
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
        future.whenComplete { result in
            timer.cancel()
            limited.completeWith(result)
        }
        return try limited.futureResult.wait()
    }

    private static func isSelect(_ sql: String) -> Bool {
        let head = sql.drop(while: \.isWhitespace).prefix(6).uppercased()
        return head == "SELECT" || head.hasPrefix("WITH")
    }

    private static func bindings(_ values: [DatabaseValue]) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .integer(let number): bindings.append(number)
            case .float(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }

    /// One row in SQLite's five storage classes: what the stores read either backend's rows as.
    private static func row(_ row: PostgresRow, columns: ColumnNames) throws -> DatabaseRow {
        DatabaseRow(columns: columns, values: try row.map(value))
    }

    private static func value(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int.self))
        case .float4, .float8: return .float(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(try cell.decode(Data.self))
        case .numeric:
            // SUM over BIGINT answers NUMERIC: whole numbers stay integers, as in SQLite.
            let decimal = try cell.decode(Decimal.self)
            if let whole = Int(exactly: NSDecimalNumber(decimal: decimal).int64Value), Decimal(whole) == decimal { return .integer(whole) }
            return .float(NSDecimalNumber(decimal: decimal).doubleValue)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Per-body counters; the executor is a value handed to synchronous code, this is its memory.
    private final class State {
        var changes = 0
        var cursors = 0
    }
}

/// Turns the stores' positional `?` into PostgreSQL's `$1, $2, …`, leaving string literals,
/// quoted identifiers and comments alone.
enum Placeholders {
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        var inComment = false
        var previous: Character = " "
        for character in sql {
            defer { previous = character }
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "?" {
                number += 1
                result += "$\(number)"
                continue
            }
            result.append(character)
        }
        return result
    }
}
