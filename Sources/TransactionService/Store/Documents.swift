import Foundation
import Platform
import ServiceRuntime

/// Records stored as JSON documents: encoded with the API's encoder, so what is read back is
/// exactly what was answered.
enum Documents {
    static func encode(_ value: some Encodable) throws -> DatabaseValue {
        .text(String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self))
    }

    static func decode<T: Decodable>(_ type: T.Type, from row: DatabaseRow, column: String = "document") throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(try row.requireString(column).utf8))
    }
}

