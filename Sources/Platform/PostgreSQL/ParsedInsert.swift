import Foundation
import Synchronization

/// An INSERT whose rows are each marks and constants in the same places, as the columnar form
/// needs it; worked out once per text.
struct ParsedInsert: Sendable {
    let table: Substring
    /// The text before `VALUES`, which names the columns.
    let head: Substring
    /// From `ON CONFLICT` to the end, without marks; empty for a plain INSERT.
    let conflict: Substring
    /// Each column's text in a row: `nil` for a mark, else a constant such as `'EUR'`.
    let template: [Substring?]
    /// The columns whose values are marks, in order.
    let markColumns: [Int]
    let rows: Int
    /// The conflict key's columns, for an upsert (`DO UPDATE`); empty otherwise.
    let keyColumns: [Int]

    /// `nil` unless `sql` is such an INSERT.
    static func parse(_ sql: String) -> ParsedInsert? {
        if let known = known.withLock({ $0[sql] }) { return known }
        let parsed = CombinedWrite.Insert(sql).flatMap(ParsedInsert.init)
        known.withLock { if $0.count < capacity { $0[sql] = .some(parsed) } }
        return parsed
    }

    private init?(_ insert: CombinedWrite.Insert) {
        guard insert.conflictIsFixed, let columns = insert.columnNames, let (template, rows) = Self.template(of: insert.rows),
            template.count == columns.count
        else { return nil }
        var keyColumns: [Int] = []
        if insert.updatesOnConflict {
            // A constant in the key would repeat it in every row.
            guard let key = insert.keyColumns(among: columns), key.allSatisfy({ template[$0] == nil }) else { return nil }
            keyColumns = key
        }
        self.table = insert.table
        self.head = insert.head
        self.conflict = insert.conflict
        self.template = template
        self.markColumns = template.indices.filter { template[$0] == nil }
        self.rows = rows
        self.keyColumns = keyColumns
    }

    /// The rows' common template and their count: `(?, ?, 'open', ?), (?, ?, 'open', ?)` has
    /// `[nil, nil, 'open', nil]`. `nil` when rows differ, or an expression mixes a mark with
    /// anything else, or there is a comment.
    static func template(of rows: Substring) -> ([Substring?], Int)? {
        var template: [Substring?]?
        var row: [Substring?] = []
        var count = 0
        var depth = 0
        var quote: UInt8?
        var expressionStart = rows.utf8.startIndex
        var previous = UInt8(ascii: " ")
        func closeExpression(at end: Substring.UTF8View.Index) -> Bool {
            let text = Substring(rows.utf8[expressionStart..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
            if text == "?" {
                row.append(nil)
            } else {
                guard !text.isEmpty, !text.utf8.contains(UInt8(ascii: "?")) else { return false }
                row.append(Substring(text))
            }
            return true
        }
        var index = rows.utf8.startIndex
        while index < rows.utf8.endIndex {
            let byte = rows.utf8[index]
            defer {
                previous = byte
                index = rows.utf8.index(after: index)
            }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
            case UInt8(ascii: "-") where previous == UInt8(ascii: "-"): return nil
            case UInt8(ascii: "("):
                depth += 1
                if depth == 1 { expressionStart = rows.utf8.index(after: index) }
            case UInt8(ascii: ")"):
                depth -= 1
                guard depth >= 0 else { return nil }
                if depth == 0 {
                    guard closeExpression(at: index) else { return nil }
                    guard template == nil || template! == row else { return nil }
                    template = row
                    row = []
                    count += 1
                }
            case UInt8(ascii: ",") where depth == 1:
                guard closeExpression(at: index) else { return nil }
                expressionStart = rows.utf8.index(after: index)
            default:
                guard depth > 0 || byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") else { return nil }
            }
        }
        guard quote == nil, depth == 0, let template, count > 0, template.contains(nil) else { return nil }
        return (template, count)
    }

    /// Texts remembered at most, as for `CombinedWrite`'s shapes.
    private static let capacity = 500
    private static let known = Mutex<[String: ParsedInsert?]>([:])
}
