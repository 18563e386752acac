import Foundation

/// A stored row that lacks a value the schema promises: a damaged database, never bad input.
public struct UnreadableRowError: Error, CustomStringConvertible {
    public let column: String
    public init(column: String) { self.column = column }
    public var description: String { "a stored row has no readable \(column)" }
}

extension DatabaseRow {
    public func requireString(_ name: String) throws -> String {
        guard let value = column(name)?.string, column(name)?.isNull == false else { throw UnreadableRowError(column: name) }
        return value
    }

    public func requireInt(_ name: String) throws -> Int {
        guard let value = column(name)?.integer else { throw UnreadableRowError(column: name) }
        return value
    }

    /// `nil` for SQL NULL.
    public func optionalString(_ name: String) -> String? {
        guard let value = column(name), !value.isNull else { return nil }
        return value.string
    }
}
