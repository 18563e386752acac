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
/// written twice only by INSERTs of the same columns and the same ON CONFLICT clause, which
/// become one INSERT whose rows keep their order (an identity column such as the outbox's numbers
/// them in it). Upserts (DO UPDATE) so joined must name different keys, which is checked for
/// every run: one statement cannot update a row twice. Foreign keys are checked at the end of the
/// statement, as they were at the end of each INSERT.
struct CombinedWrite {
    /// Placeholders numbered, each cast to the type its value has when a statement is sent
    /// alone (a NULL's type is left to its column).
    let sql: String
    let binds: [PostgresData]

    /// PostgreSQL's limit on one statement's parameters is 65,535.
    static let maximumBinds = 30_000

    /// `nil` when the run cannot be one statement, or is too long to be kept prepared (the
    /// caller sends it as before).
    init?(_ writes: [SQLStatement]) {
        if writes.count > 1, let columnar = Self.columnar(writes) {
            self = columnar
            return
        }
        let total = writes.reduce(0) { $0 + $1.binds.count }
        guard !writes.isEmpty, total <= Self.maximumBinds,
            writes.reduce(0, { $0 + $1.sql.utf8.count }) <= PreparedWrites.maximumLength,
            let combination = Self.combination(of: writes)
        else { return nil }
        if !combination.distinctKeys.isEmpty {
            let values = writes.flatMap(\.binds)
            for rows in combination.distinctKeys {
                var seen = Set<[DatabaseValue]>()
                guard rows.allSatisfy({ seen.insert($0.map { values[$0] }).inserted }) else { return nil }
            }
        }
        var binds: [PostgresData] = []
        binds.reserveCapacity(total)
        for write in writes { binds.append(contentsOf: write.binds.lazy.map(Self.data)) }
        self.init(sql: combination.text, binds: binds)
    }

    init(sql: String, binds: [PostgresData]) {
        self.sql = sql
        self.binds = binds
    }

    /// What writes of one shape become.
    private struct Combination: Sendable {
        let text: String
        /// For each table whose upserts were joined: each row's key, as positions among the
        /// run's values. Keys that repeat within a table forbid the combination.
        let distinctKeys: [[[Int]]]
    }

    /// The statement for writes of this shape, worked out once per shape: the writer sends the
    /// same few shapes again and again.
    private static func combination(of writes: [SQLStatement]) -> Combination? {
        let shape = Shape(writes)
        if let known = shapes.withLock({ $0[shape] }) { return known }
        let combination = combine(writes)
        shapes.withLock { if $0.count < shapeCapacity { $0[shape] = .some(combination) } }
        return combination
    }

    /// Shapes remembered at most, so a caller that builds many texts cannot grow the memory
    /// without end (later ones are worked out each time).
    static let shapeCapacity = 500
    private static let shapes = Mutex<[Shape: Combination?]>([:])

    /// The writes' texts and their values' types: what the combined text depends on.
    private struct Shape: Hashable {
        let texts: [String]
        let types: [String]

        init(_ writes: [SQLStatement]) {
            texts = writes.map(\.sql)
            types = writes.flatMap { $0.binds.map(CombinedWrite.cast(of:)) }
        }
    }

    private static func combine(_ writes: [SQLStatement]) -> Combination? {
        var offset = 0
        if writes.count == 1 { return typed(writes[0], from: &offset).map { Combination(text: $0, distinctKeys: []) } }
        // One INSERT per table, in the order the tables were first written.
        var parts: [(insert: Insert, rows: String, conflict: String, keys: [[Int]]?, joined: Bool)] = []
        for write in writes {
            let first = offset
            guard let insert = Insert(write.sql), let text = typed(write, from: &offset), let (rows, conflict) = Insert.split(text) else { return nil }
            let keys = insert.keyPositions(from: first)
            guard let index = parts.firstIndex(where: { $0.insert.table == insert.table }) else {
                parts.append((insert, rows, conflict, keys, false))
                continue
            }
            let earlier = parts[index].insert
            guard insert.head == earlier.head, insert.conflict == earlier.conflict, insert.conflictIsFixed else { return nil }
            if insert.updatesOnConflict {
                guard let keys, let earlierKeys = parts[index].keys else { return nil }
                parts[index].keys = earlierKeys + keys
            }
            parts[index].rows += ",\n" + rows
            parts[index].joined = true
        }
        var text = ""
        for (index, part) in parts.enumerated() {
            let statement = part.insert.head + "VALUES" + part.rows + part.conflict
            if index == parts.count - 1 {
                text += statement
            } else {
                // The newline ends a trailing `--` comment before the parenthesis.
                text += (index == 0 ? "WITH " : ", ") + "w\(index) AS (\(statement)\n)\n"
            }
        }
        let distinctKeys = parts.filter { $0.joined && $0.insert.updatesOnConflict }.compactMap(\.keys)
        return Combination(text: text, distinctKeys: distinctKeys)
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
    struct Insert: Sendable {
        let table: Substring
        /// The text before `VALUES`: two INSERTs with the same one write the same columns.
        let head: Substring
        /// From `ON CONFLICT` to the end; empty for a plain INSERT.
        let conflict: Substring
        /// The rows, as written.
        let rows: Substring

        init?(_ sql: String) {
            let bytes = Array(sql.utf8)
            let start = sql.drop(while: \.isWhitespace)
            guard start.hasPrefix("INSERT INTO "), !ByteSearch.contains(Insert.select, in: bytes, asciiCaseBlind: true),
                let values = ByteSearch.offset(of: Insert.values, in: bytes)
            else { return nil }
            let name = start.dropFirst(12).drop { $0 == " " }.prefix { !$0.isWhitespace && $0 != "(" }
            head = Substring(sql.utf8.prefix(values))
            guard !name.isEmpty, !head.utf8.contains(UInt8(ascii: "?")) else { return nil }
            table = name
            let afterValues = values + Insert.values.count
            let conflictStart = ByteSearch.offset(of: Insert.onConflict, in: bytes, from: afterValues) ?? bytes.count
            rows = Substring(sql.utf8.dropFirst(afterValues).prefix(conflictStart - afterValues))
            conflict = Substring(sql.utf8.dropFirst(conflictStart))
        }

        var updatesOnConflict: Bool { ByteSearch.contains(Insert.doUpdate, in: Array(conflict.utf8)) }
        /// The clause takes no values: the joined INSERT keeps the first one's.
        var conflictIsFixed: Bool { !conflict.utf8.contains(UInt8(ascii: "?")) }

        /// Each row's conflict key as positions among the run's values (this INSERT's start at
        /// `first`); `nil` unless every row is marks only and the key's columns are named.
        func keyPositions(from first: Int) -> [[Int]]? {
            guard let columns = columnNames, let rowCount = markedRows(columns: columns.count), let key = keyColumns(among: columns) else { return nil }
            return (0..<rowCount).map { row in key.map { first + row * columns.count + $0 } }
        }

        /// The columns named after the table.
        var columnNames: [Substring]? {
            guard let open = head.firstIndex(of: "("), let close = head[open...].firstIndex(of: ")") else { return nil }
            return Self.names(head[head.index(after: open)..<close])
        }

        /// How many rows there are, when each is `(?, …)` with a mark per column.
        func markedRows(columns: Int) -> Int? {
            let allowed = Self.markedRowBytes
            guard columns > 0, rows.utf8.allSatisfy(allowed.contains) else { return nil }
            let marks = rows.utf8.count { $0 == UInt8(ascii: "?") }
            let rowCount = rows.utf8.count { $0 == UInt8(ascii: "(") }
            return rowCount > 0 && marks == rowCount * columns ? rowCount : nil
        }

        /// Where the ON CONFLICT target's columns are among `columns`.
        func keyColumns(among columns: [Substring]) -> [Int]? {
            guard let open = conflict.firstIndex(of: "("), let close = conflict[open...].firstIndex(of: ")") else { return nil }
            let key = Self.names(conflict[conflict.index(after: open)..<close]).map { name in columns.firstIndex(of: name) }
            return key.isEmpty || key.contains(nil) ? nil : key.map { $0! }
        }

        private static func names(_ list: Substring) -> [Substring] {
            list.split(separator: ",").map { $0.trimmingPrefix(while: \.isWhitespace).prefix { !$0.isWhitespace } }
        }

        private static let markedRowBytes = Set("(?, )\n\t".utf8)

        /// A typed INSERT's rows and its ON CONFLICT clause (empty when there is none).
        static func split(_ typed: String) -> (rows: String, conflict: String)? {
            let bytes = Array(typed.utf8)
            guard let values = ByteSearch.offset(of: Insert.values, in: bytes) else { return nil }
            let afterValues = values + Insert.values.count
            let conflictStart = ByteSearch.offset(of: onConflict, in: bytes, from: afterValues) ?? bytes.count
            return (String(decoding: bytes[afterValues..<conflictStart], as: UTF8.self), String(decoding: bytes[conflictStart...], as: UTF8.self))
        }

        private static let values = Array("VALUES".utf8)
        private static let select = Array("SELECT".utf8)
        private static let onConflict = Array("ON CONFLICT".utf8)
        private static let doUpdate = Array("DO UPDATE".utf8)
    }

    /// A NULL is left uncast: the column decides, as for a NULL written in.
    private static func cast(of value: DatabaseValue) -> String {
        ColumnType(of: value)?.cast ?? ""
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
