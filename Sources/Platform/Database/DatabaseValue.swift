import Foundation

/// A value bound to a statement's `?` or read from a row: SQLite's five storage classes.
public enum DatabaseValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case float(Double)
    case text(String)
    case blob(Data)
    case null

    /// The value as an integer; text is parsed, a float truncated.
    public var integer: Int? {
        switch self {
        case .integer(let value): value
        case .float(let value): Int(exactly: value.rounded(.towardZero))
        case .text(let value): Int(value)
        case .blob, .null: nil
        }
    }

    public var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .float(let value): value
        case .text(let value): Double(value)
        case .blob, .null: nil
        }
    }

    /// The value as text; numbers are formatted.
    public var string: String? {
        switch self {
        case .integer(let value): String(value)
        case .float(let value): String(value)
        case .text(let value): value
        case .blob, .null: nil
        }
    }

    public var bool: Bool? {
        switch integer {
        case 1: true
        case 0: false
        default: nil
        }
    }

    public var blob: Data? {
        if case .blob(let data) = self { data } else { nil }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .integer(let value): value.description
        case .float(let value): value.description
        case .text(let value): "\"\(value)\""
        case .blob(let data): "<\(data.count) bytes>"
        case .null: "null"
        }
    }
}

/// One result row. Column names are shared by every row of a statement.
public struct DatabaseRow: Sendable {
    let columns: ColumnNames
    public let values: [DatabaseValue]

    /// The value of the named column, `nil` when the statement has no such column.
    public func column(_ name: String) -> DatabaseValue? {
        columns.index[name].map { values[$0] }
    }

    public subscript(_ name: String) -> DatabaseValue { column(name) ?? .null }
}

/// The column names of a prepared statement, looked up by name for every row it returns.
final class ColumnNames: Sendable {
    let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        // With duplicate names (a join's `id`s) the first column wins, as in most drivers.
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}
