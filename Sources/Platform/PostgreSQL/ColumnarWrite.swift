import PostgresNIO
import Synchronization

/// Runs of INSERTs whose rows are marks only, as one statement whose parameters are whole
/// columns: `INSERT INTO t (a, b) SELECT v0, v1 FROM unnest($1::text[], $2::int8[]) AS u(v0, v1)`.
/// Its text depends on the tables and their columns' types, not on how many rows there are, so a
/// run of a size not seen before is still a statement the server has prepared. The trace
/// consumer's batches differ in size every time: with their rows in the text, each was a new
/// statement the server parsed and planned, and on PostgreSQL that consumer cost more than the
/// sales it followed.
///
/// The same rules as for rows in the text (`CombinedWrite`): one INSERT per table, its rows in
/// their order (a function scan yields the arrays in order), upserts joined only when their keys
/// differ. A column whose values are all NULL is written as NULL, and the column decides its
/// type as before; a column with values of two types leaves the run to the rows-in-the-text form.
extension CombinedWrite {
    static func columnar(_ writes: [SQLStatement]) -> CombinedWrite? {
        var parts: [ColumnarPart] = []
        for write in writes {
            guard let insert = ParsedInsert.parse(write.sql) else { return nil }
            guard let index = parts.firstIndex(where: { $0.insert.table == insert.table }) else {
                guard let part = ColumnarPart(insert, rows: write.binds) else { return nil }
                parts.append(part)
                continue
            }
            guard parts[index].insert.head == insert.head, parts[index].insert.conflict == insert.conflict,
                parts[index].append(write.binds, rows: insert.rows)
            else { return nil }
        }
        var types: [[String?]] = []
        for part in parts {
            // Columns of NULLs only would leave no array to count the rows by.
            guard let columnTypes = part.columnTypes(), columnTypes.contains(where: { $0 != nil }), part.keysAreDistinct() else { return nil }
            types.append(columnTypes)
        }
        let shape = ColumnarShape(heads: parts.map(\.insert.head), conflicts: parts.map(\.insert.conflict), types: types)
        let sql = shape.text
        var binds: [PostgresData] = []
        for (part, columnTypes) in zip(parts, types) {
            for (column, type) in columnTypes.enumerated() {
                guard let type else { continue }
                let elements = part.columns[column].map { value -> PostgresData? in
                    if case .null = value { return nil }
                    return data(value)
                }
                binds.append(PostgresData(array: elements, elementType: elementType(type)))
            }
        }
        return CombinedWrite(sql: sql, binds: binds)
    }

    private static func elementType(_ cast: String) -> PostgresDataType {
        switch cast {
        case "::int8": .int8
        case "::float8": .float8
        case "::bytea": .bytea
        default: .text
        }
    }
}

/// An INSERT of marks-only rows as the columnar form needs it, worked out once per text.
struct ParsedInsert: Sendable {
    let table: Substring
    /// The text before `VALUES`, which names the columns.
    let head: Substring
    /// From `ON CONFLICT` to the end, without marks; empty for a plain INSERT.
    let conflict: Substring
    let columnCount: Int
    let rows: Int
    /// The conflict key's columns, for an upsert (`DO UPDATE`); empty otherwise.
    let keyColumns: [Int]

    /// `nil` unless `sql` is an INSERT whose rows are each a mark per column.
    static func parse(_ sql: String) -> ParsedInsert? {
        if let known = known.withLock({ $0[sql] }) { return known }
        let parsed = CombinedWrite.Insert(sql).flatMap(ParsedInsert.init)
        known.withLock { if $0.count < capacity { $0[sql] = .some(parsed) } }
        return parsed
    }

    private init?(_ insert: CombinedWrite.Insert) {
        guard insert.conflictIsFixed, let columns = insert.columnNames, let rows = insert.markedRows(columns: columns.count) else { return nil }
        var keyColumns: [Int] = []
        if insert.updatesOnConflict {
            guard let key = insert.keyColumns(among: columns) else { return nil }
            keyColumns = key
        }
        self.table = insert.table
        self.head = insert.head
        self.conflict = insert.conflict
        self.columnCount = columns.count
        self.rows = rows
        self.keyColumns = keyColumns
    }

    /// Texts remembered at most, as for `CombinedWrite`'s shapes.
    private static let capacity = 500
    private static let known = Mutex<[String: ParsedInsert?]>([:])
}

/// One table's rows, column by column.
private struct ColumnarPart {
    let insert: ParsedInsert
    var columns: [[DatabaseValue]]

    init?(_ insert: ParsedInsert, rows values: [DatabaseValue]) {
        self.insert = insert
        columns = Array(repeating: [], count: insert.columnCount)
        guard append(values, rows: insert.rows) else { return nil }
    }

    /// Adds `rows` rows given row by row; `false` when the values do not fill them.
    mutating func append(_ values: [DatabaseValue], rows: Int) -> Bool {
        guard values.count == rows * insert.columnCount else { return false }
        for (index, value) in values.enumerated() { columns[index % insert.columnCount].append(value) }
        return true
    }

    /// Each column's cast, `nil` for a column of NULLs only; `nil` when a column mixes types.
    func columnTypes() -> [String?]? {
        var types: [String?] = []
        for column in columns {
            var type: String?
            for value in column {
                if case .null = value { continue }
                let cast = CombinedWrite.cast(of: value)
                if let type, type != cast { return nil }
                type = cast
            }
            types.append(type)
        }
        return types
    }

    /// One statement cannot update a row twice.
    func keysAreDistinct() -> Bool {
        guard !insert.keyColumns.isEmpty, let rowCount = columns.first?.count, rowCount > 1 else { return true }
        var seen = Set<[DatabaseValue]>()
        return (0..<rowCount).allSatisfy { row in seen.insert(insert.keyColumns.map { columns[$0][row] }).inserted }
    }
}

/// What the columnar text depends on; the text is worked out once per shape.
private struct ColumnarShape: Hashable {
    let heads: [Substring]
    let conflicts: [Substring]
    let types: [[String?]]

    var text: String {
        if let known = Self.texts.withLock({ $0[self] }) { return known }
        let text = composed()
        Self.texts.withLock { if $0.count < Self.capacity { $0[self] = text } }
        return text
    }

    private func composed() -> String {
        var parameter = 0
        var text = ""
        for (index, head) in heads.enumerated() {
            var selected: [String] = []
            var arrays: [String] = []
            var names: [String] = []
            for (column, type) in types[index].enumerated() {
                guard let type else {
                    selected.append("NULL")
                    continue
                }
                parameter += 1
                selected.append("v\(column)")
                arrays.append("$\(parameter)\(type)[]")
                names.append("v\(column)")
            }
            // The newline ends a trailing `--` comment of the head.
            let statement = "\(head)\nSELECT \(selected.joined(separator: ", ")) FROM unnest(\(arrays.joined(separator: ", "))) AS u(\(names.joined(separator: ", ")))\n"
                + conflicts[index]
            if index == heads.count - 1 {
                text += statement
            } else {
                text += (index == 0 ? "WITH " : ", ") + "w\(index) AS (\(statement)\n)\n"
            }
        }
        return text
    }

    private static let capacity = 500
    private static let texts = Mutex<[ColumnarShape: String]>([:])
}
