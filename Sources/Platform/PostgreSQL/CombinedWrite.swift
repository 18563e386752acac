import PostgresNIO
import Synchronization

/// The writes of one run as a single statement with parameters, which the server can keep
/// prepared: the writer's writes come in a few shapes (a sale's always has the same tables and
/// rows), and a statement the server has planned once costs it a fraction of a code block whose
/// statements carry their values as text and are parsed and planned on every call.
///
/// Several INSERTs become one statement with data-modifying CTEs, one per table:
/// `WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …`. Its parts see the database as it was
/// before the statement, not each other's rows, and run in an order the server chooses, so only
/// runs whose parts cannot tell are combined: INSERT … VALUES without a subquery, and a table
/// written twice only by plain INSERTs of the same columns, which become one INSERT whose rows
/// keep their order (an identity column such as the outbox's numbers them in it). Foreign keys
/// are checked at the end of the statement, as they were at the end of each INSERT.
struct CombinedWrite {
    /// Placeholders numbered, each cast to the type its value has when a statement is sent
    /// alone (a NULL's type is left to its column).
    let sql: String
    let binds: [PostgresData]

    /// PostgreSQL's limit on one statement's parameters is 65,535.
    static let maximumBinds = 30_000

    /// `nil` when the run cannot be one statement (the caller sends it as before).
    init?(_ writes: [SQLStatement]) {
        let total = writes.reduce(0) { $0 + $1.binds.count }
        guard !writes.isEmpty, total <= Self.maximumBinds, let sql = Self.text(of: writes) else { return nil }
        var binds: [PostgresData] = []
        binds.reserveCapacity(total)
        for write in writes { binds.append(contentsOf: write.binds.lazy.map(Self.data)) }
        self.sql = sql
        self.binds = binds
    }

    /// The statement for writes of this shape, worked out once per shape: the writer sends the
    /// same few shapes again and again.
    private static func text(of writes: [SQLStatement]) -> String? {
        let shape = Shape(writes)
        if let known = shapes.withLock({ $0[shape] }) { return known }
        let text = combinedText(of: writes)
        shapes.withLock { if $0.count < shapeCapacity { $0[shape] = .some(text) } }
        return text
    }

    /// Shapes remembered at most, so a caller that builds many texts cannot grow the memory
    /// without end (later ones are worked out each time).
    static let shapeCapacity = 2_000
    private static let shapes = Mutex<[Shape: String?]>([:])

    /// The writes' texts and their values' types: what the combined text depends on.
    private struct Shape: Hashable {
        let texts: [String]
        let types: [String]

        init(_ writes: [SQLStatement]) {
            texts = writes.map(\.sql)
            types = writes.flatMap { $0.binds.map(CombinedWrite.cast(of:)) }
        }
    }

    private static func combinedText(of writes: [SQLStatement]) -> String? {
        var offset = 0
        if writes.count == 1 { return typed(writes[0], from: &offset) }
        // One INSERT per table, in the order the tables were first written.
        var parts: [(insert: Insert, text: String)] = []
        for write in writes {
            guard let insert = Insert(write.sql), let text = typed(write, from: &offset) else { return nil }
            guard let index = parts.firstIndex(where: { $0.insert.table == insert.table }) else {
                parts.append((insert, text))
                continue
            }
            guard insert.isPlain, parts[index].insert.isPlain, insert.head == parts[index].insert.head,
                let rows = Insert.rows(in: text)
            else { return nil }
            parts[index].text += ",\n" + rows
        }
        var sql = ""
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1 {
                sql += part.text
            } else {
                // The newline ends a trailing `--` comment before the parenthesis.
                sql += (index == 0 ? "WITH " : ", ") + "w\(index) AS (\(part.text)\n)\n"
            }
        }
        return sql
    }

    /// Numbers `write`'s marks from `offset` + 1 with their casts, and moves `offset` past them.
    /// `nil` when marks and values do not pair up (the server then says so for the statement).
    private static func typed(_ write: SQLStatement, from offset: inout Int) -> String? {
        var used = 0
        let first = offset
        let sql = Placeholders.rewritten(write.sql) { index, text in
            used = index + 1
            text.append(contentsOf: "$\(first + index + 1)".utf8)
            if index < write.binds.count { text.append(contentsOf: cast(of: write.binds[index]).utf8) }
        }
        guard used == write.binds.count else { return nil }
        offset += used
        return sql
    }

    /// `INSERT INTO table (columns) VALUES (…), … [ON CONFLICT …]` as the stores write it
    /// (keywords in capitals), without a subquery.
    private struct Insert {
        let table: Substring
        /// The text before `VALUES`: two INSERTs with the same one write the same columns.
        let head: Substring
        /// Without ON CONFLICT: rows of two such INSERTs can go in one.
        let isPlain: Bool

        init?(_ sql: String) {
            let bytes = Array(sql.utf8)
            let start = sql.drop(while: \.isWhitespace)
            guard start.hasPrefix("INSERT INTO "), !ByteSearch.contains(Insert.select, in: bytes, asciiCaseBlind: true),
                let values = Insert.valuesOffset(in: bytes)
            else { return nil }
            let name = start.dropFirst(12).drop { $0 == " " }.prefix { !$0.isWhitespace && $0 != "(" }
            guard !name.isEmpty else { return nil }
            table = name
            head = Substring(sql.utf8.prefix(values))
            isPlain = !ByteSearch.contains(Insert.onConflict, in: bytes, asciiCaseBlind: true)
        }

        /// What follows `VALUES` in `sql`.
        static func rows(in sql: String) -> Substring? {
            valuesOffset(in: Array(sql.utf8)).map { Substring(sql.utf8.dropFirst($0 + values.count)) }
        }

        private static func valuesOffset(in bytes: [UInt8]) -> Int? {
            guard bytes.count >= values.count else { return nil }
            return (0...(bytes.count - values.count)).first { start in values.indices.allSatisfy { bytes[start + $0] == values[$0] } }
        }

        private static let values = Array("VALUES".utf8)
        private static let select = Array("SELECT".utf8)
        private static let onConflict = Array("ON CONFLICT".utf8)
    }

    private static func cast(of value: DatabaseValue) -> String {
        switch value {
        case .integer: "::int8"
        case .float: "::float8"
        case .text: "::text"
        case .blob: "::bytea"
        case .null: ""  // the column decides, as for a NULL written in
        }
    }

    private static func data(_ value: DatabaseValue) -> PostgresData {
        switch value {
        case .integer(let number): PostgresData(int64: Int64(number))
        case .float(let number): PostgresData(double: number)
        case .text(let text): PostgresData(string: text)
        case .blob(let bytes): PostgresData(bytes: bytes)
        case .null: .null
        }
    }
}
