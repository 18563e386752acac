import PostgresNIO
import Synchronization

/// Runs of INSERTs whose rows are marks and constants, as one statement whose parameters are
/// whole columns: `INSERT INTO t (a, b) SELECT v0, v1 FROM unnest($1::text[], $2::int8[]) AS u(v0, v1)`.
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
    /// - Parameter parsed: each write's `ParsedInsert`, when the caller has them already.
    static func columnar(_ writes: [SQLStatement], parsed: [ParsedInsert]? = nil) -> CombinedWrite? {
        var parts: [ColumnarPart] = []
        for (index, write) in writes.enumerated() {
            guard let insert = parsed?[index] ?? ParsedInsert.parse(write.sql) else { return nil }
            guard let part = parts.firstIndex(where: { $0.insert.table == insert.table }) else {
                guard let part = ColumnarPart(insert, rows: write.binds) else { return nil }
                parts.append(part)
                continue
            }
            let earlier = parts[part].insert
            guard earlier.head == insert.head, earlier.template == insert.template, earlier.conflict == insert.conflict,
                parts[part].append(write.binds, rows: insert.rows)
            else { return nil }
        }
        var sources: [[ColumnSource]] = []
        for part in parts {
            guard let columnSources = part.sources(), part.keysAreDistinct(),
                // Without an array, nothing would count the rows.
                columnSources.contains(where: { if case .array = $0 { true } else { false } })
            else { return nil }
            sources.append(columnSources)
        }
        let shape = ColumnarShape(heads: parts.map(\.insert.head), conflicts: parts.map(\.insert.conflict), sources: sources)
        var binds: [PostgresData] = []
        for (part, columnSources) in zip(parts, sources) {
            for (column, source) in columnSources.enumerated() {
                guard case .array(let type) = source else { continue }
                binds.append(type.array(of: part.columns[column]))
            }
        }
        return CombinedWrite(sql: shape.text, binds: binds)
    }
}

/// The type of a column's values, as the array parameter that carries them.
enum ColumnType: Hashable, Sendable {
    case int8, float8, text, bytea

    init?(of value: DatabaseValue) {
        switch value {
        case .integer: self = .int8
        case .float: self = .float8
        case .text: self = .text
        case .blob: self = .bytea
        case .null: return nil
        }
    }

    /// A placeholder's cast for one value of this type.
    var cast: String {
        switch self {
        case .int8: "::int8"
        case .float8: "::float8"
        case .text: "::text"
        case .bytea: "::bytea"
        }
    }

    /// A placeholder's cast for an array of them.
    var arrayCast: String { cast + "[]" }

    private var types: (element: PostgresDataType, array: PostgresDataType) {
        switch self {
        case .int8: (.int8, .int8Array)
        case .float8: (.float8, .float8Array)
        case .text: (.text, .textArray)
        case .bytea: (.bytea, .byteaArray)
        }
    }

    /// The values as a one-dimensional array in PostgreSQL's binary format, written straight
    /// into one buffer (a `PostgresData` per value cost an allocation each).
    func array(of values: [DatabaseValue]) -> PostgresData {
        var buffer = ByteBufferAllocator().buffer(capacity: 20 + 16 * values.count)
        buffer.writeInteger(Int32(1))  // dimensions
        buffer.writeInteger(Int32(0))  // "has NULLs": the server works it out
        buffer.writeInteger(types.element.rawValue)
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(Int32(1))  // lower bound
        for value in values {
            switch value {
            case .null:
                buffer.writeInteger(Int32(-1))
            case .integer(let number):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(Int64(number))
            case .float(let number):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(number.bitPattern)
            case .text(let text):
                let lengthAt = buffer.writerIndex
                buffer.writeInteger(Int32(0))
                let length = buffer.writeString(text)
                buffer.setInteger(Int32(length), at: lengthAt)
            case .blob(let bytes):
                buffer.writeInteger(Int32(bytes.count))
                buffer.writeBytes(bytes)
            }
        }
        return PostgresData(type: types.array, typeModifier: nil, formatCode: .binary, value: buffer)
    }
}

/// Where a column's values come from in the columnar statement.
private enum ColumnSource: Hashable {
    /// An array parameter of values of this type.
    case array(ColumnType)
    /// NULL in every row: the column decides the type, as for a NULL written in.
    case null
    /// The same constant in every row, as the INSERT wrote it.
    case constant(Substring)
}

/// One table's rows, the values of each mark column.
private struct ColumnarPart {
    let insert: ParsedInsert
    /// Indexed by column; empty for a constant's column.
    var columns: [[DatabaseValue]]

    init?(_ insert: ParsedInsert, rows values: [DatabaseValue]) {
        self.insert = insert
        columns = Array(repeating: [], count: insert.template.count)
        guard append(values, rows: insert.rows) else { return nil }
    }

    /// Adds `rows` rows given row by row; `false` when the values do not fill them.
    mutating func append(_ values: [DatabaseValue], rows: Int) -> Bool {
        let markColumns = insert.markColumns
        guard values.count == rows * markColumns.count else { return false }
        for (index, value) in values.enumerated() { columns[markColumns[index % markColumns.count]].append(value) }
        return true
    }

    /// Each column's source; `nil` when a column mixes types.
    func sources() -> [ColumnSource]? {
        var sources: [ColumnSource] = []
        for (column, constant) in insert.template.enumerated() {
            if let constant {
                sources.append(.constant(constant))
                continue
            }
            var type: ColumnType?
            for value in columns[column] {
                guard let valueType = ColumnType(of: value) else { continue }
                if let type, type != valueType { return nil }
                type = valueType
            }
            sources.append(type.map(ColumnSource.array) ?? .null)
        }
        return sources
    }

    /// One statement cannot update a row twice.
    func keysAreDistinct() -> Bool {
        guard let first = insert.keyColumns.first, columns[first].count > 1 else { return true }
        var seen = Set<[DatabaseValue]>()
        return columns[first].indices.allSatisfy { row in seen.insert(insert.keyColumns.map { columns[$0][row] }).inserted }
    }
}

/// What the columnar text depends on; the text is worked out once per shape.
private struct ColumnarShape: Hashable {
    let heads: [Substring]
    let conflicts: [Substring]
    let sources: [[ColumnSource]]

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
            for (column, source) in sources[index].enumerated() {
                switch source {
                case .null: selected.append("NULL")
                case .constant(let constant): selected.append(String(constant))
                case .array(let type):
                    parameter += 1
                    selected.append("v\(column)")
                    arrays.append("$\(parameter)\(type.arrayCast)")
                    names.append("v\(column)")
                }
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
