/// Rewrites the stores' positional `?`, leaving string literals, quoted identifiers and
/// comments alone.
enum Placeholders {
    /// PostgreSQL's numbered parameters: `$1, $2, …`.
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        var text: [UInt8] = []
        text.reserveCapacity(sql.utf8.count + 16)
        replaceMarks(in: sql, into: &text) { index, text in text.append(contentsOf: "$\(index + 1)".utf8) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The statement with its values written in as literals, for a code block that takes no
    /// parameters; `nil` when the marks and the values do not pair up (the server then says so
    /// for the statement as it was).
    static func inlined(_ sql: String, _ binds: [DatabaseValue]) -> String? {
        var used = 0
        var text: [UInt8] = []
        text.reserveCapacity(sql.utf8.count + 32 * binds.count)
        replaceMarks(in: sql, into: &text) { index, text in
            used = index + 1
            if index < binds.count { appendLiteral(binds[index], to: &text) } else { text.append(contentsOf: "NULL".utf8) }
        }
        return used == binds.count ? String(decoding: text, as: UTF8.self) : nil
    }

    /// `sql` with each mark written by `mark(index, &text)` (from 0).
    static func rewritten(_ sql: String, mark: (Int, inout [UInt8]) -> Void) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(sql.utf8.count + 16)
        replaceMarks(in: sql, into: &text, mark: mark)
        return String(decoding: text, as: UTF8.self)
    }

    /// Copies `sql` into `text`, each mark written by `mark(index, &text)` (from 0). Byte by
    /// byte: quotes, dashes and marks are ASCII, which never occurs inside a longer UTF-8
    /// sequence, so a quote followed by a combining mark is still a quote, as to the server.
    private static func replaceMarks(in sql: String, into text: inout [UInt8], mark: (Int, inout [UInt8]) -> Void) {
        var number = 0
        var quote: UInt8?
        var inComment = false
        var previous = UInt8(ascii: " ")
        for byte in sql.utf8 {
            defer { previous = byte }
            if inComment {
                if byte == UInt8(ascii: "\n") { inComment = false }
            } else if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "-") && previous == UInt8(ascii: "-") {
                inComment = true
            } else if byte == UInt8(ascii: "?") {
                mark(number, &text)
                number += 1
                continue
            }
            text.append(byte)
        }
    }

    /// A value as a typed literal the server reads back exactly as it would the bound value.
    /// Escape strings (`E'…'`) keep the meaning whatever `standard_conforming_strings` says.
    static func appendLiteral(_ value: DatabaseValue, to text: inout [UInt8]) {
        switch value {
        case .null: text.append(contentsOf: "NULL".utf8)
        case .integer(let number): text.append(contentsOf: "'\(number)'::int8".utf8)
        case .float(let number):
            if number.isNaN {
                text.append(contentsOf: "'NaN'::float8".utf8)
            } else if number.isInfinite {
                text.append(contentsOf: (number < 0 ? "'-Infinity'::float8" : "'Infinity'::float8").utf8)
            } else {
                text.append(contentsOf: "'\(number)'::float8".utf8)
            }
        case .text(let value):
            text.append(contentsOf: "E'".utf8)
            for byte in value.utf8 {
                if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { text.append(byte) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "'"))
        case .blob(let data):
            text.append(contentsOf: "E'\\\\x".utf8)
            for byte in data {
                text.append(hexDigits[Int(byte >> 4)])
                text.append(hexDigits[Int(byte & 0x0f)])
            }
            text.append(contentsOf: "'::bytea".utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Writes sent together as one anonymous code block (`DO`): one round trip for all of them,
/// each statement still seeing the ones before it, and the block failing as a whole with the
/// first statement's error (its SQLSTATE intact).
enum WriteBlock {
    static func sql(_ statements: [String]) -> String {
        var body = "BEGIN\n"
        for statement in statements {
            // The newline ends a trailing `--` comment before the semicolon.
            body += statement
            body += "\n;\n"
        }
        body += "END"
        // The quote that encloses the body must not occur in it, byte for byte as the server
        // reads it: values are users' text.
        var tag = "$w$"
        let bytes = Array(body.utf8)
        while ByteSearch.contains(Array(tag.utf8), in: bytes) { tag = "$w\(UInt64.random(in: 0...UInt64.max))$" }
        return "DO \(tag)\(body)\(tag)"
    }
}

/// Searches over the bytes of SQL text (Foundation's string search is slow here).
enum ByteSearch {
    /// Whether `pattern` occurs in `bytes`. Case-blind, ASCII letters are folded: the pattern is
    /// then given in upper case.
    static func contains<Bytes: RandomAccessCollection<UInt8>>(_ pattern: [UInt8], in bytes: Bytes, asciiCaseBlind: Bool = false) -> Bool
    where Bytes.Index == Int {
        offset(of: pattern, in: bytes, asciiCaseBlind: asciiCaseBlind) != nil
    }

    /// Whether `pattern` occurs in `text`'s UTF-8, read in place.
    static func contains(_ pattern: [UInt8], inText text: String, asciiCaseBlind: Bool = false) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { contains(pattern, in: $0, asciiCaseBlind: asciiCaseBlind) }
            ?? contains(pattern, in: Array(text.utf8), asciiCaseBlind: asciiCaseBlind)
    }

    /// Where `pattern` first occurs in `bytes` at or after `start`; case as for `contains`.
    static func offset<Bytes: RandomAccessCollection<UInt8>>(of pattern: [UInt8], in bytes: Bytes, from start: Int = 0, asciiCaseBlind: Bool = false) -> Int?
    where Bytes.Index == Int {
        guard !pattern.isEmpty, bytes.count - start >= pattern.count else { return nil }
        let mask: UInt8 = asciiCaseBlind ? 0xDF : 0xFF
        let base = bytes.startIndex
        return (start...(bytes.count - pattern.count)).first { at in
            pattern.indices.allSatisfy { bytes[base + at + $0] & mask == pattern[$0] }
        }
    }
}
