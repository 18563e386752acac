import NIOCore

/// One word of a Redis command. Redis reads every word as a bulk string, numbers included.
///
/// String literals and integer literals convert, so a command reads `["INCRBY", .string(key), 5]`.
public enum RESPArgument: Sendable, Hashable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral {
    case string(String)
    case integer(Int)
    case bytes([UInt8])
    case buffer(ByteBuffer)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
}

/// Writes commands the way clients send them to Redis: an array of bulk strings.
public enum RESPEncoder {
    /// Appends `command` to `buffer`, e.g. `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n` for `["GET", "k"]`.
    public static func encode(_ command: [RESPArgument], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(command.count))
        buffer.writeStaticString("\r\n")
        for argument in command {
            switch argument {
            case .string(let text):
                writeHeader(length: text.utf8.count, into: &buffer)
                buffer.writeString(text)
            case .integer(let value):
                let text = String(value)
                writeHeader(length: text.utf8.count, into: &buffer)
                buffer.writeString(text)
            case .bytes(let bytes):
                writeHeader(length: bytes.count, into: &buffer)
                buffer.writeBytes(bytes)
            case .buffer(let bytes):
                writeHeader(length: bytes.readableBytes, into: &buffer)
                buffer.writeImmutableBuffer(bytes)
            }
            buffer.writeStaticString("\r\n")
        }
    }

    /// About how many bytes `command` takes encoded: enough to size a buffer in one allocation.
    static func estimatedLength(of command: [RESPArgument]) -> Int {
        var total = 16
        for argument in command {
            switch argument {
            case .string(let text): total += text.utf8.count + 16
            case .integer: total += 36
            case .bytes(let bytes): total += bytes.count + 16
            case .buffer(let bytes): total += bytes.readableBytes + 16
            }
        }
        return total
    }

    private static func writeHeader(length: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("$")
        buffer.writeString(String(length))
        buffer.writeStaticString("\r\n")
    }
}
