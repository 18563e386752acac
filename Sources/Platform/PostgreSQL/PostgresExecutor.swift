import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Runs statements on the PostgreSQL connection a read or write was given, blocking the
/// database's thread for the answers (the stores' bodies are synchronous, as with SQLite).
///
/// Round trips, not the server, bound a write's speed: a sale runs some thirty statements. So
/// the executor sends nothing it need not wait for. On the writer, an INSERT, UPDATE or DELETE
/// whose answer nobody reads is held back, and so are the transaction's own statements (BEGIN,
/// SAVEPOINT, RELEASE); they leave together with the next statement whose answer is needed, or
/// at the end of the write (`flush`). A write's held-back writes go as one statement, and the
/// writes of a group that leave together as one for the group when they are all INSERTs of marks
/// and constants (`CombinedWrite`, `ColumnarWrite`); prepared once its shape is known
/// (`PreparedWrites`), else as one code block. A
/// held-back write that fails fails the statement it left with, with the server's error: its own
/// write's, or, when a group's writes leave together, the group's (which then runs again).
struct PostgresExecutor: SQLExecutor, HoldingExecutor {
    let connection: PostgresConnection
    let logger: Logger
    /// What the transaction did that matters after its commit; `nil` on readers.
    let notes: TransactionNotes?
    /// The writer's statements kept prepared on its connection; `nil` on readers.
    let preparedWrites: PreparedWrites?
    private let state = State()

    /// Rows a large read fetches per round trip.
    static let fetchSize = 2_000
    /// Writes held back at most; more are sent on (a bulk import would otherwise grow one block
    /// without end).
    static let maximumHeldWrites = 500
    /// The longest wait for one statement's answer. A server that stays silent longer is taken
    /// for gone: the statement fails and its connection is closed (a late answer would belong
    /// to no statement).
    let answerLimit: TimeAmount

    init(connection: PostgresConnection, logger: Logger, notes: TransactionNotes?, preparedWrites: PreparedWrites? = nil, answerLimit: TimeAmount) {
        self.connection = connection
        self.logger = logger
        self.notes = notes
        self.preparedWrites = preparedWrites
        self.answerLimit = answerLimit
    }

    var dialect: SQLDialect { .postgresql }

    func noteEventsWritten() { notes?.wroteEvents = true }

    var writeGroup: WriteGroup? { notes?.group }

    /// Rows changed by the last statement; a held-back last write is sent alone to count them.
    func changes() throws -> Int {
        if case .write(let sql, let binds)? = state.held.last {
            state.held.removeLast()
            _ = try send(then: [SQLStatement(sql, binds)])
        } else {
            try flush()
        }
        return state.changes
    }

    @discardableResult
    func query(_ sql: String, _ binds: [DatabaseValue]) throws -> [DatabaseRow] {
        try queries([SQLStatement(sql, binds)])[0]
    }

    func queries(_ statements: [SQLStatement]) throws -> [[DatabaseRow]] {
        for statement in statements { try checkPlan(statement) }
        return try send(then: statements).map { result in
            guard let first = result.rows.first else { return [] }
            let columns = ColumnNames(first.map(\.columnName))
            return try result.rows.map { try Self.row($0, columns: columns) }
        }
    }

    func execute(_ sql: String, _ binds: [DatabaseValue]) throws {
        try checkPlan(SQLStatement(sql, binds))
        guard notes != nil, Self.canHoldBack(sql) else {
            _ = try send(then: [SQLStatement(sql, binds)])
            return
        }
        // Sent on before this one is held, which stays the last held write: `changes` counts it.
        if state.heldWrites >= Self.maximumHeldWrites { try flush() }
        state.held.append(.write(sql, binds))
        state.heldWrites += 1
    }

    /// A reader's SELECT reads through a cursor, `fetchSize` rows at a time, so a large read (an
    /// export) never holds all its rows in memory. The writer reads the few rows a write needs
    /// at once.
    func forEachRow(_ sql: String, _ binds: [DatabaseValue], _ body: (DatabaseRow) throws -> Void) throws {
        guard notes == nil, Self.isSelect(sql) else {
            for row in try query(sql, binds) { try body(row) }
            return
        }
        state.cursors += 1
        let cursor = "rows_\(state.cursors)"
        hold("DECLARE \(cursor) NO SCROLL CURSOR FOR \(sql)", binds)
        var columns: ColumnNames?
        while true {
            let rows = try send(then: [SQLStatement("FETCH \(Self.fetchSize) FROM \(cursor)")])[0].rows
            for row in rows {
                let names = columns ?? ColumnNames(row.map(\.columnName))
                columns = names
                try body(try Self.row(row, columns: names))
            }
            if rows.count < Self.fetchSize { break }
        }
        hold("CLOSE \(cursor)", [])
    }

    /// In the plan check of the tests only (`PlanReport`): explains `statement` inside this
    /// transaction with sequential scans off, then switches them on again.
    private func checkPlan(_ statement: SQLStatement) throws {
        guard state.inTransaction, PlanReport.wants(statement.sql) else { return }
        let answers = try send(then: [
            SQLStatement("SET LOCAL enable_seqscan = off"), SQLStatement("EXPLAIN (FORMAT JSON) " + statement.sql, statement.binds),
            SQLStatement("SET LOCAL enable_seqscan = on"),
        ])
        if let plan = try answers[1].rows.first?.first?.decode(String.self) { PlanReport.record(sql: statement.sql, plan: plan) }
    }

    /// Queues a statement whose answer nobody reads (BEGIN, SAVEPOINT, RELEASE, CLOSE): it
    /// leaves with the next statement that is waited for, and its failure surfaces there.
    func hold(_ sql: String, _ binds: [DatabaseValue] = []) {
        if sql.hasPrefix("BEGIN") { state.inTransaction = true }
        state.held.append(.statement(sql, binds))
    }

    /// Sends everything held back and waits for it; the writer calls it at the end of each write.
    func flush() throws {
        _ = try send(then: [])
    }

    func endWrite() {
        state.held.append(.endOfWrite)
    }

    /// Forgets the writes held back (not BEGIN or SAVEPOINT): the write they belong to failed
    /// (when writes leave together, earlier writes' too: the group is then rolled back).
    func discardHeldWrites() {
        state.held.removeAll { if case .write = $0 { true } else { false } }
        state.heldWrites = 0
    }

    /// Runs a statement that ends the transaction (COMMIT, ROLLBACK) after everything held back.
    func control(_ sql: String) throws {
        _ = try send(then: [SQLStatement(sql)])
    }

    /// Sends what is held back and then `statements`, all before waiting, and waits for every
    /// answer.
    /// - Returns: the results of `statements`.
    /// - Throws: the first failure among them (the later ones failed because of it).
    private func send(then statements: [SQLStatement]) throws -> [StatementAnswer] {
        var queries: [(sql: String, query: Outgoing)] = []
        // The held writes, split where one write ends and the next begins.
        var runs: [[SQLStatement]] = [[]]
        func queue(_ writes: [SQLStatement]) throws {
            guard let first = writes.first else { return }
            if let preparedWrites, let combined = CombinedWrite(writes), let statement = preparedWrites.statement(combined.sql) {
                queries.append((writes.count > 1 ? "\(writes.count) writes, the first: \(first.sql)" : first.sql, .prepared(statement, combined.binds)))
                return
            }
            // A statement whose marks and values do not pair up goes alone, for the server to say so.
            let inlined = writes.count > 1 ? writes.compactMap { Placeholders.inlined($0.sql, $0.binds) } : []
            if inlined.count == writes.count, writes.count > 1 {
                queries.append(("\(writes.count) writes, the first: \(first.sql)", .unnamed(PostgresQuery(unsafeSQL: WriteBlock.sql(inlined)))))
                return
            }
            for write in writes { queries.append((write.sql, .unnamed(try Self.query(write.sql, write.binds)))) }
        }
        func queueRuns() throws {
            defer { runs = [[]] }
            var start = 0
            while start < runs.count {
                // Writes of a group that leave together go as one statement when they are all
                // INSERTs of marks and constants (`CombinedWrite.columnar`): a round trip for the
                // group instead of one per write.
                var end = start
                var parsed: [ParsedInsert] = []
                scan: while end < runs.count, !runs[end].isEmpty {
                    var parsedRun: [ParsedInsert] = []
                    for write in runs[end] {
                        guard let insert = ParsedInsert.parse(write.sql) else { break scan }
                        parsedRun.append(insert)
                    }
                    parsed += parsedRun
                    end += 1
                }
                if end - start > 1, let preparedWrites, let merged = CombinedWrite.columnar(Array(runs[start..<end].joined()), parsed: parsed),
                    let statement = preparedWrites.statement(merged.sql)
                {
                    queries.append(("\(end - start) writes, the first: \(runs[start][0].sql)", .prepared(statement, merged.binds)))
                    start = end
                    continue
                }
                for run in runs[start..<max(end, start + 1)] { try queue(run) }
                start = max(end, start + 1)
            }
        }
        for item in state.held {
            switch item {
            case .write(let sql, let binds): runs[runs.count - 1].append(SQLStatement(sql, binds))
            case .statement(let sql, let binds):
                try queueRuns()
                queries.append((sql, .unnamed(try Self.query(sql, binds))))
            case .endOfWrite:
                if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
        }
        try queueRuns()
        let firstAnswered = queries.count
        // On a reader, a lone statement to answer goes by name, prepared (with several, each
        // would be written by a task of its own, and those could overtake each other). The
        // writer sends its few reads unnamed: its writes wait on each answer, and the task that
        // runs a prepared one costs a sale more in waiting than the server saves in parsing.
        let named = notes == nil && statements.count == 1 ? PreparedStatements.named(statements[0].sql, binds: statements[0].binds) : nil
        for statement in statements where named == nil { queries.append((statement.sql, .unnamed(try Self.query(statement.sql, statement.binds)))) }
        state.held = []
        state.heldWrites = 0
        guard !queries.isEmpty || named != nil else { return [] }
        // A query handed to a connection that is already closed is never answered (postgres-nio
        // drops it): fail at once instead of waiting out the answer limit.
        guard !connection.isClosed else {
            throw PostgresError(sqlState: nil, message: "connection closed (\((queries.first?.sql ?? statements[0].sql).prefix(80)))")
        }
        // postgres-nio queues them on the connection and sends each as the one before finishes,
        // on its event loop: this thread wakes once.
        var sent = queries.map(\.sql)
        var answers = queries.map { $0.query.send(on: connection, logger: logger) }
        if let named {
            // Its task writes it after the queries above: each of those was handed to the
            // connection's event loop before the task began.
            let statement = statements[0]
            let bindings = try Self.bindings(statement.binds)
            let promise = connection.eventLoop.makePromise(of: StatementAnswer.self)
            promise.completeWithTask { [connection, logger] in
                let rows = try await PreparedStatements.run(
                    name: named.name, sql: named.sql, bindings: bindings, on: connection, logger: logger)
                return StatementAnswer(rows: rows, count: rows.count)
            }
            sent.append(statement.sql)
            answers.append(promise.futureResult)
        }
        var failure: (any Error)?
        var results: [StatementAnswer] = []
        for (sent, answer) in zip(sent, answers) {
            do {
                results.append(try Self.answer(to: answer, on: connection, within: answerLimit))
            } catch let error as PSQLError {
                failure = failure ?? PostgresError(error, sql: sent)
            } catch let error as PostgresNIO.PostgresError {
                failure = failure ?? PostgresError(error, sql: sent)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        let answered = Array(results[firstAnswered...])
        if let last = answered.last { state.changes = last.count }
        return answered
    }

    private static func query(_ sql: String, _ binds: [DatabaseValue]) throws -> PostgresQuery {
        PostgresQuery(unsafeSQL: Placeholders.numbered(sql), binds: try bindings(binds))
    }

    /// A write whose effect the statements after it see however it is sent, and whose answer
    /// carries nothing but a count.
    private static func canHoldBack(_ sql: String) -> Bool {
        // Byte by byte, without copies: every statement of every write asks.
        let head = sql.utf8.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }.prefix(6)
        guard heldVerbs.contains(where: { verb in head.elementsEqual(verb) { $0 & 0xDF == $1 } }) else { return false }
        return !ByteSearch.contains(returning, inText: sql, asciiCaseBlind: true)
    }

    private static let heldVerbs = ["INSERT", "UPDATE", "DELETE"].map { Array($0.utf8) }
    private static let returning = Array("RETURNING".utf8)

    /// Blocks this (non-event-loop) thread for the answer, at most `answerLimit`, and no longer
    /// than a second after its connection closed. postgres-nio fails the statements it was given
    /// when the connection closes, but a statement handed over as it closed never reaches it and
    /// is never answered: a PostgreSQL restart under load left writes waiting out the limit.
    static func answer<T: Sendable>(to future: EventLoopFuture<T>, on connection: PostgresConnection, within answerLimit: TimeAmount) throws -> T {
        let limited = future.eventLoop.makePromise(of: T.self)
        let deadline = NIODeadline.now() + answerLimit
        let watch = future.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { watch in
            if connection.isClosed {
                limited.fail(PostgresError(sqlState: nil, message: "connection closed before the answer came"))
            } else if NIODeadline.now() >= deadline {
                limited.fail(PostgresError(sqlState: nil, message: "no answer within \(answerLimit.nanoseconds / 1_000_000_000) s"))
                connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
            } else {
                return
            }
            watch.cancel()
        }
        future.whenComplete { result in
            watch.cancel()
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

    /// Per-body memory; the executor is a value handed to synchronous code.
    private final class State {
        var changes = 0
        var cursors = 0
        var held: [Held] = []
        var heldWrites = 0
        var inTransaction = false
    }

    /// A statement as it goes to the server.
    private enum Outgoing {
        case unnamed(PostgresQuery)
        /// Run by name with its values; answered with rows only (a held write's count is never read).
        case prepared(PreparedQuery, [PostgresData])

        func send(on connection: PostgresConnection, logger: Logger) -> EventLoopFuture<StatementAnswer> {
            switch self {
            case .unnamed(let query):
                connection.query(query, logger: logger).map { StatementAnswer(rows: $0.rows, count: $0.metadata.rows ?? 0) }
            case .prepared(let statement, let binds):
                statement.execute(binds).map { StatementAnswer(rows: $0, count: $0.count) }
            }
        }
    }

    private enum Held {
        /// Sent as it is, in its own message.
        case statement(String, [DatabaseValue])
        /// Sent in a code block with the writes next to it, its values written in.
        case write(String, [DatabaseValue])
        /// The writes before it and after it belong to two writes of a group.
        case endOfWrite
    }
}
