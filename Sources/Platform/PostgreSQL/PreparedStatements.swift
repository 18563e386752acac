import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// What one statement answered: its rows, and how many rows it changed or returned.
struct StatementAnswer: Sendable {
    var rows: [PostgresRow]
    var count: Int
}

/// Statements the server keeps parsed and planned, by name, on each connection: a query a
/// reader sends on its own is parsed once per connection instead of every time.
///
/// A name stands for one text with one set of bind types (a NULL leaves its type to the server,
/// as in an unnamed statement), so a statement means on the server what it meant unnamed. Names
/// are given to the first `capacity` such pairs a process sends; later ones go unnamed, so a
/// caller that builds many texts cannot grow each server connection without end.
enum PreparedStatements {
    /// A name and the text the server prepares under it (placeholders numbered).
    typealias Named = (name: String, sql: String)

    static let capacity = 1_000
    /// By bind types and text; nil for a text that is not prepared. Asked for every statement a
    /// reader sends alone, so the checks and the numbering run once per text.
    private static let names = Mutex<[String: Named?]>([:])

    /// The statement's name and numbered text, or nil for one that is not prepared (not
    /// answered with rows, or past the capacity).
    static func named(_ sql: String, binds: [DatabaseValue]) -> Named? {
        var key = String(binds.map(\.typeMark))
        key += sql
        if let known = names.withLock({ $0[key] }) { return known }
        let numbered = isPreparable(sql) ? Placeholders.numbered(sql) : nil
        return names.withLock { names in
            if let known = names[key] { return known }
            guard names.count < capacity else { return nil }
            let entry = numbered.map { (name: "neuroerp_\(names.count + 1)", sql: $0) }
            names[key] = .some(entry)
            return entry
        }
    }

    /// Runs a named statement; postgres-nio prepares it on first use on `connection`.
    static func run(name: String, sql: String, bindings: PostgresBindings, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        // postgres-nio takes a prepared statement's name and text from its type; one type reads
        // them from the task-local set here, which `execute` reads before it first suspends.
        try await Statement.$current.withValue((name, sql)) {
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(Statement(bindings: bindings), logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// A query, or a write with RETURNING: a statement answered with rows. (postgres-nio's
    /// prepared statements give a plain write's count only as a separate call, which stopped the
    /// process when made before the answer was complete.) Not one that asks for all columns: a
    /// migration that adds one, run by another process of a newer version, would make the
    /// server refuse the prepared statement ("cached plan must not change result type"). (The SQL
    /// here writes its keywords in capitals.)
    private static func isPreparable(_ sql: String) -> Bool {
        let head = sql.drop(while: \.isWhitespace).prefix(6).uppercased()
        let bytes = Array(sql.utf8)
        let answersRows = head == "SELECT" || head.hasPrefix("WITH") || ByteSearch.contains(returning, in: bytes, asciiCaseBlind: true)
        return answersRows && !allColumns.contains { ByteSearch.contains($0, in: bytes) }
    }

    private static let returning = Array("RETURNING".utf8)
    private static let allColumns = ["SELECT *", "RETURNING *", ".*"].map { Array($0.utf8) }

    fileprivate struct Statement: PostgresPreparedStatement {
        typealias Row = PostgresRow
        @TaskLocal static var current: (name: String, sql: String) = ("", "")
        static var name: String { current.name }
        static var sql: String { current.sql }
        let bindings: PostgresBindings
        func makeBindings() -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}

extension DatabaseValue {
    /// One letter per storage class, for telling apart the bind types of one text.
    fileprivate var typeMark: Character {
        switch self {
        case .integer: "i"
        case .float: "f"
        case .text: "t"
        case .blob: "b"
        case .null: "n"
        }
    }
}
