import NIOCore

/// One value of the Redis serialisation protocol, RESP2 or RESP3.
///
/// RESP3 attributes (`|`) carry metadata no command of this client asks for; the parser reads
/// and drops them, so they have no case here. A blob error (`!`) arrives as `.error`, like a
/// simple one: the two differ only in how they are framed.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    /// The bytes as they arrived: a slice of the read buffer, not a copy.
    case bulkString(ByteBuffer)
    /// RESP3 `_`, and the RESP2 null bulk string (`$-1`) and null array (`*-1`).
    case null
    case array([RESPValue])
    /// Key-value pairs in the order the server sent them (RESP3 `%`).
    case map([Pair])
    case set([RESPValue])
    case double(Double)
    case boolean(Bool)
    /// An integer too large for 64 bits, as its decimal digits (RESP3 `(`).
    case bigNumber(String)
    /// Text with a three-letter format such as `txt` or `mkd` (RESP3 `=`).
    case verbatimString(format: String, text: String)
    /// Data the server sends on its own, not as a reply to a command (RESP3 `>`).
    case push([RESPValue])

    /// One entry of a RESP3 map.
    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue

        public init(key: RESPValue, value: RESPValue) {
            self.key = key
            self.value = value
        }
    }
}

extension RESPValue {
    /// The text of a simple, bulk or verbatim string, or the digits of a big number; nil for other
    /// values. Bytes that are not UTF-8 become U+FFFD.
    public var string: String? {
        switch self {
        case .simpleString(let text), .bigNumber(let text), .verbatimString(_, let text): text
        case .bulkString(let buffer): String(buffer: buffer)
        default: nil
        }
    }

    /// An integer, or a string holding one (RESP2 sends some counts as bulk strings).
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .simpleString, .bulkString: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array, set or push; a map as key, value, key, value, as RESP2 sends
    /// it, so callers read both protocols alike. Nil for other values.
    public var array: [RESPValue]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements): elements
        case .map(let pairs): pairs.flatMap { [$0.key, $0.value] }
        default: nil
        }
    }

    /// The entries of a map, or of an array of even length read as key, value, key, value (the
    /// RESP2 form of a map). Nil for other values.
    public var pairs: [Pair]? {
        switch self {
        case .map(let pairs):
            return pairs
        case .array(let elements) where elements.count.isMultiple(of: 2):
            return stride(from: 0, to: elements.count, by: 2).map { Pair(key: elements[$0], value: elements[$0 + 1]) }
        default:
            return nil
        }
    }

    public var isNull: Bool { self == .null }

    /// The bytes of a bulk, simple or verbatim string; nil for other values.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let buffer): [UInt8](buffer: buffer)
        case .simpleString(let text), .verbatimString(_, let text): Array(text.utf8)
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .double(let value): value
        case .integer(let value): Double(value)
        case .simpleString, .bulkString: string.flatMap { Double($0) }
        default: nil
        }
    }

    public var bool: Bool? {
        switch self {
        case .boolean(let value): value
        case .integer(let value) where value == 0 || value == 1: value == 1
        default: nil
        }
    }
}

extension RESPValue: CustomStringConvertible {
    /// A short rendering for error messages and logs: long strings and aggregates are cut.
    public var description: String {
        switch self {
        case .simpleString(let text): return "+\(Self.cut(text))"
        case .error(let message): return "-\(Self.cut(message))"
        case .integer(let value): return ":\(value)"
        case .bulkString(let buffer): return "\"\(Self.cut(String(buffer: buffer)))\""
        case .null: return "null"
        case .array(let elements): return "[\(Self.list(elements))]"
        case .set(let elements): return "~[\(Self.list(elements))]"
        case .push(let elements): return ">[\(Self.list(elements))]"
        case .map(let pairs): return "{\(Self.list(pairs.flatMap { [$0.key, $0.value] }))}"
        case .double(let value): return ",\(value)"
        case .boolean(let value): return value ? "#t" : "#f"
        case .bigNumber(let digits): return "(\(Self.cut(digits))"
        case .verbatimString(let format, let text): return "=\(format):\(Self.cut(text))"
        }
    }

    private static func cut(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(80)) + "…"
    }

    private static func list(_ elements: [RESPValue]) -> String {
        let shown = elements.prefix(8).map(\.description).joined(separator: ", ")
        return elements.count <= 8 ? shown : shown + ", … (\(elements.count) in all)"
    }
}
