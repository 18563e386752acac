import NIOCore

/// Finds where the value at the front of a stream's buffer ends, without building it, and
/// resumes where it stopped when more bytes arrive. A large reply (a consumer's batch of stream
/// entries) arrives in many reads; parsing it whole after each read cost twice the parse of the
/// reply itself. The parser now reads a value once, after the scanner has seen all of it.
///
/// The scanner checks only what it needs to step over a value. Anything malformed or over a
/// limit ends the scan as if the value were complete, so the parser reads it and names the fault.
struct RESPScanner: Sendable {
    /// Values still to step over in each open aggregate, outermost first; empty between values.
    private var remaining: [Int] = []
    /// Where the next value to step over starts, counted from the buffer's reader index.
    private var offset = 0

    /// Whether the value at the front of `buffer` has arrived in full (or is malformed).
    mutating func isComplete(_ buffer: ByteBuffer, limits: RESPParser) -> Bool {
        if remaining.isEmpty {
            remaining = [1]
            offset = 0
        }
        while true {
            while remaining.last == 0 { remaining.removeLast() }
            if remaining.isEmpty {
                offset = 0
                return true
            }
            guard remaining.count <= limits.maximumDepth + 1 else { return done() }
            let start = buffer.readerIndex + offset
            guard let type = buffer.getInteger(at: start, as: UInt8.self) else { return false }
            guard Self.types.contains(type) else { return done() }
            // The line after the type byte: a length, a count or the value itself.
            let searched = min(buffer.writerIndex - start - 1, limits.maximumLineLength + 1)
            guard searched >= 0, let view = buffer.viewBytes(at: start + 1, length: searched) else { return false }
            guard let carriageReturn = view.firstIndex(of: UInt8(ascii: "\r")) else {
                return searched > limits.maximumLineLength ? done() : false
            }
            guard let lineFeed = buffer.getInteger(at: carriageReturn + 1, as: UInt8.self) else { return false }
            guard lineFeed == UInt8(ascii: "\n") else { return done() }
            var end = carriageReturn + 2
            switch type {
            case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                guard let length = Self.integer(view[view.startIndex..<carriageReturn]) else { return done() }
                if length >= 0 {
                    guard length <= limits.maximumBulkLength else { return done() }
                    end += length + 2
                    guard buffer.writerIndex >= end else { return false }
                }
                remaining[remaining.count - 1] -= 1
            case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
                guard let count = Self.integer(view[view.startIndex..<carriageReturn]), count <= limits.maximumAggregateCount else { return done() }
                // An attribute (`|`) describes the value after it and is not one of its parent's values.
                if type != UInt8(ascii: "|") { remaining[remaining.count - 1] -= 1 }
                if count > 0 { remaining.append(type == UInt8(ascii: "%") || type == UInt8(ascii: "|") ? 2 * count : count) }
            default:
                remaining[remaining.count - 1] -= 1
            }
            offset = end - buffer.readerIndex
        }
    }

    /// Ends the scan of a value the parser will read (or reject) whole.
    private mutating func done() -> Bool {
        remaining = []
        offset = 0
        return true
    }

    /// The first bytes of the RESP2 and RESP3 types.
    private static let types = Set("+-:$*_,#!=(%~>|".utf8)

    /// A decimal number as RESP writes lengths and counts (`-1` for a RESP2 null).
    private static func integer(_ digits: ByteBufferView.SubSequence) -> Int? {
        var value = 0
        var negative = false
        for (position, byte) in zip(digits.indices, digits) {
            if position == digits.startIndex, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), value < Int.max / 10 - 9 else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
