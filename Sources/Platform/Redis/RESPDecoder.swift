import NIOCore

/// Reads RESP2 and RESP3 values from a stream of bytes as they arrive.
///
/// `parse` takes a value off the front of the buffer only once all of it is there; until then it
/// returns nil and leaves the buffer as it was, so the caller appends what arrives next and asks
/// again. One parser belongs to one stream: it remembers how far it has seen the incomplete
/// value (`RESPScanner`), so a large reply arriving in many reads is read once, not once a read.
///
/// Every length is bounded, so a broken or hostile server cannot make the client allocate or
/// recurse without end: bulk strings up to 512 MB (Redis's own `proto-max-bulk-len`),
/// aggregates nested at most 64 deep, lines of at most 64 KB.
public struct RESPParser: Sendable {
    /// The longest bulk string accepted, in bytes (default 512 MB).
    public let maximumBulkLength: Int
    /// The deepest nesting of arrays, maps, sets and pushes accepted (default 64).
    public let maximumDepth: Int
    /// The most elements one aggregate may announce (default 16 million).
    public let maximumAggregateCount: Int
    /// The longest line (simple string, error, number) accepted, in bytes (default 64 KB).
    public let maximumLineLength: Int

    /// How far the incomplete value at the front has been seen.
    private var scanner = RESPScanner()

    public init(
        maximumBulkLength: Int = 512 * 1024 * 1024, maximumDepth: Int = 64,
        maximumAggregateCount: Int = 16 * 1024 * 1024, maximumLineLength: Int = 64 * 1024
    ) {
        precondition(maximumBulkLength >= 0 && maximumDepth > 0 && maximumAggregateCount >= 0 && maximumLineLength > 0)
        self.maximumBulkLength = maximumBulkLength
        self.maximumDepth = maximumDepth
        self.maximumAggregateCount = maximumAggregateCount
        self.maximumLineLength = maximumLineLength
    }

    /// Takes the first complete value off `buffer`.
    /// - Returns: the value, or nil when `buffer` does not hold all of it yet (nothing is consumed).
    /// - Throws: `RedisError.protocolError` naming what is malformed or which limit is broken;
    ///   the stream cannot be read further after that.
    public mutating func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard buffer.readableBytes > 0, scanner.isComplete(buffer, limits: self) else { return nil }
        var reader = RESPReader(buffer: buffer, parser: self)
        guard let value = try reader.value(depth: 0) else { return nil }
        buffer.moveReaderIndex(to: reader.index)
        return value
    }
}

/// One attempt at reading a value from the front of a buffer, without consuming it.
private struct RESPReader {
    let buffer: ByteBuffer
    let parser: RESPParser
    /// Where the next byte is read.
    var index: Int
    /// Whether a read came up short (the value has not all arrived; `RESPScanner` makes that rare).
    var cameUpShort = false

    init(buffer: ByteBuffer, parser: RESPParser) {
        self.buffer = buffer
        self.parser = parser
        index = buffer.readerIndex
    }

    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
    /// The first bytes of the RESP2 and RESP3 types.
    private static let types = Set("+-:$*_,#!=(%~>|".utf8)

    mutating func value(depth: Int) throws -> RESPValue? {
        while true {
            let typeIndex = index
            guard let type = buffer.getInteger(at: index, as: UInt8.self) else { return short() }
            guard Self.types.contains(type) else {
                throw malformed("unknown type byte 0x\(String(type, radix: 16)) (\(quoted(type)))", at: typeIndex)
            }
            index += 1
            guard let line = try readLine() else { return nil }
            switch type {
            case UInt8(ascii: "+"):
                return .simpleString(string(line))
            case UInt8(ascii: "-"):
                return .error(string(line))
            case UInt8(ascii: ":"):
                return .integer(try integer(line, what: "integer"))
            case UInt8(ascii: "$"):
                guard let payload = try readBulk(length: line, nullable: true) else { return nilOrNull }
                return .bulkString(payload)
            case UInt8(ascii: "!"):
                guard let payload = try readBulk(length: line, nullable: false) else { return nil }
                return .error(String(buffer: payload))
            case UInt8(ascii: "="):
                return try readVerbatim(length: line)
            case UInt8(ascii: "_"):
                guard line.isEmpty else { throw malformed("null (_) carries data \(quoted(line))", at: typeIndex) }
                return .null
            case UInt8(ascii: ","):
                return .double(try double(line))
            case UInt8(ascii: "#"):
                switch string(line) {
                case "t": return .boolean(true)
                case "f": return .boolean(false)
                default: throw malformed("boolean is \(quoted(line)), not t or f", at: typeIndex)
                }
            case UInt8(ascii: "("):
                return .bigNumber(try bigNumber(line))
            case UInt8(ascii: "*"):
                guard let elements = try readElements(count: line, depth: depth, nullable: true) else { return nilOrNull }
                return .array(elements)
            case UInt8(ascii: "~"):
                guard let elements = try readElements(count: line, depth: depth, nullable: false) else { return nil }
                return .set(elements)
            case UInt8(ascii: ">"):
                guard let elements = try readElements(count: line, depth: depth, nullable: false) else { return nil }
                return .push(elements)
            case UInt8(ascii: "%"):
                guard let pairs = try readPairs(count: line, depth: depth) else { return nil }
                return .map(pairs)
            case UInt8(ascii: "|"):
                // Attributes describe the value that follows; read them, drop them, read on.
                guard try readPairs(count: line, depth: depth) != nil else { return nil }
                continue
            default:
                throw malformed("unknown type byte 0x\(String(type, radix: 16)) (\(quoted(type)))", at: typeIndex)
            }
        }
    }

    /// `.null` when the last read was a RESP2 null (`$-1`, `*-1`), nil when it came up short.
    private var nilOrNull: RESPValue? { cameUpShort ? nil : .null }

    // MARK: Lines

    /// The bytes up to the next CRLF, which the reader then stands after; nil when the CRLF has not arrived.
    private mutating func readLine() throws -> Range<Int>? {
        let available = buffer.writerIndex - index
        let searched = min(available, parser.maximumLineLength + 1)
        let view = buffer.viewBytes(at: index, length: searched)!
        guard let end = view.firstIndex(where: { $0 == Self.carriageReturn }) else {
            guard available <= parser.maximumLineLength else {
                throw malformed("line longer than \(parser.maximumLineLength) bytes", at: index)
            }
            return short()
        }
        guard let next = buffer.getInteger(at: end + 1, as: UInt8.self) else { return short() }
        guard next == Self.lineFeed else { throw malformed("CR not followed by LF", at: end) }
        let line = index..<end
        index = end + 2
        return line
    }

    private func string(_ range: Range<Int>) -> String {
        buffer.getString(at: range.lowerBound, length: range.count) ?? ""
    }

    private func quoted(_ range: Range<Int>) -> String {
        "\"\(string(range.lowerBound..<min(range.upperBound, range.lowerBound + 40)))\""
    }

    private func quoted(_ byte: UInt8) -> String {
        (32..<127).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "non-printable"
    }

    // MARK: Numbers

    private func integer(_ range: Range<Int>, what: String) throws -> Int {
        guard let value = Int(string(range)) else {
            throw malformed("\(what) \(quoted(range)) is not a 64-bit decimal number", at: range.lowerBound)
        }
        return value
    }

    private func double(_ range: Range<Int>) throws -> Double {
        let text = string(range)
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            let isDecimal = !text.isEmpty && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
            }
            guard isDecimal, let value = Double(text) else {
                throw malformed("double \(quoted(range)) is not a number", at: range.lowerBound)
            }
            return value
        }
    }

    private func bigNumber(_ range: Range<Int>) throws -> String {
        let text = string(range)
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw malformed("big number \(quoted(range)) is not a decimal number", at: range.lowerBound)
        }
        return text
    }

    // MARK: Blobs

    /// The payload of a length-prefixed string; nil for a RESP2 null or when the payload has not
    /// all arrived (`cameUpShort`).
    private mutating func readBulk(length line: Range<Int>, nullable: Bool) throws -> ByteBuffer? {
        let length = try integer(line, what: "length")
        if length == -1, nullable { return nil }
        guard length >= 0 else { throw malformed("length \(length) is negative", at: line.lowerBound) }
        guard length <= parser.maximumBulkLength else {
            throw malformed("bulk string of \(length) bytes is over the limit of \(parser.maximumBulkLength)", at: line.lowerBound)
        }
        guard buffer.writerIndex - index >= length + 2 else { return short() }
        guard buffer.getInteger(at: index + length, as: UInt8.self) == Self.carriageReturn,
            buffer.getInteger(at: index + length + 1, as: UInt8.self) == Self.lineFeed
        else { throw malformed("string of \(length) bytes is not followed by CRLF", at: index + length) }
        let payload = buffer.getSlice(at: index, length: length)!
        index += length + 2
        return payload
    }

    private mutating func readVerbatim(length line: Range<Int>) throws -> RESPValue? {
        guard let payload = try readBulk(length: line, nullable: false) else { return nil }
        guard payload.readableBytes >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":") else {
            throw malformed("verbatim string does not start with a format such as txt:", at: line.lowerBound)
        }
        let format = payload.getString(at: payload.readerIndex, length: 3) ?? ""
        let text = payload.getString(at: payload.readerIndex + 4, length: payload.readableBytes - 4) ?? ""
        return .verbatimString(format: format, text: text)
    }

    // MARK: Aggregates

    /// The elements of an aggregate; nil for a RESP2 null or when they have not all arrived
    /// (`cameUpShort`).
    private mutating func readElements(count line: Range<Int>, depth: Int, nullable: Bool) throws -> [RESPValue]? {
        guard let count = try aggregateCount(line, depth: depth, nullable: nullable, valuesPerElement: 1) else { return nil }
        var elements: [RESPValue] = []
        elements.reserveCapacity(min(count, 1_024))
        for _ in 0..<count {
            guard let element = try value(depth: depth + 1) else { return nil }
            elements.append(element)
        }
        return elements
    }

    private mutating func readPairs(count line: Range<Int>, depth: Int) throws -> [RESPValue.Pair]? {
        guard let count = try aggregateCount(line, depth: depth, nullable: false, valuesPerElement: 2) else { return nil }
        var pairs: [RESPValue.Pair] = []
        pairs.reserveCapacity(min(count, 1_024))
        for _ in 0..<count {
            guard let key = try value(depth: depth + 1), let item = try value(depth: depth + 1) else { return nil }
            pairs.append(RESPValue.Pair(key: key, value: item))
        }
        return pairs
    }

    private mutating func aggregateCount(
        _ line: Range<Int>, depth: Int, nullable: Bool, valuesPerElement: Int
    ) throws -> Int? {
        let count = try integer(line, what: "element count")
        if count == -1, nullable { return nil }
        guard count >= 0 else { throw malformed("element count \(count) is negative", at: line.lowerBound) }
        guard count <= parser.maximumAggregateCount else {
            throw malformed("aggregate of \(count) elements is over the limit of \(parser.maximumAggregateCount)", at: line.lowerBound)
        }
        guard depth < parser.maximumDepth else {
            throw malformed("aggregates nested deeper than \(parser.maximumDepth) levels", at: line.lowerBound)
        }
        // Every value takes three bytes at least ("_\r\n"): no need to look before they are there.
        let smallestSize = count * valuesPerElement * 3
        guard buffer.writerIndex - index >= smallestSize else { return short() }
        return count
    }

    // MARK: Outcomes

    /// Notes that the value has not all arrived; returns nil.
    private mutating func short<T>() -> T? {
        cameUpShort = true
        return nil
    }

    private func malformed(_ problem: String, at position: Int) -> RedisError {
        .protocolError("\(problem) (at byte \(position - buffer.readerIndex) of the reply)")
    }
}

/// Hands each complete RESP value from the socket to the next handler in the pipeline.
struct RESPMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    private var parser = RESPParser()

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try parser.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }
}
