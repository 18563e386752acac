import ERPKernel
import Foundation
import Platform

/// Records stored as JSON documents: encoded with the API's encoder, so what is read back is
/// exactly what was answered.
public enum Documents {
    public static func encode(_ value: some Encodable) throws -> DatabaseValue {
        .text(String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from row: DatabaseRow, column: String = "document") throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(try row.requireString(column).utf8))
    }
}

extension Page {
    /// A page from rows read with `LIMIT limit + 1` in ID order: the extra row only says there is
    /// more, and the last kept row's `cursorColumn` is the cursor.
    public init(rows: [DatabaseRow], limit: Int, cursorColumn: String = "id", item: (DatabaseRow) throws -> Item) throws {
        self.init(data: try rows.prefix(limit).map(item), nextCursor: rows.count > limit ? rows[limit - 1][cursorColumn].string : nil)
    }
}
