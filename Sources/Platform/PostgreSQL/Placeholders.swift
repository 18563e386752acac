/// Rewrites the stores' positional `?`, leaving string literals, quoted identifiers and
/// comments alone.
enum Placeholders {
    /// PostgreSQL's numbered parameters: `$1, $2, …`.
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        return replace(sql) { "$\($0 + 1)" }
    }

    /// The statement with its values written in as literals, for a code block that takes no
    /// parameters; `nil` when the marks and the values do not pair up (the server then says so
    /// for the statement as it was).
    static func inlined(_ sql: String, _ binds: [DatabaseValue]) -> String? {
        var used = 0
        let text = replace(sql) { index in
            used = index + 1
            return index < binds.count ? literal(binds[index]) : "NULL"
        }
        return used == binds.count ? text : nil
    }

    /// `sql` with the `index`-th mark (from 0) replaced by `mark(index)`.
    static func replace(_ sql: String, with mark: (Int) -> String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        var inComment = false
        var previous: Character = " "
        for character in sql {
            defer { previous = character }
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "?" {
                result += mark(number)
                number += 1
                continue
            }
            result.append(character)
        }
        return result
    }

    /// A value as a typed literal the server reads back exactly as it would the bound value.
    /// Escape strings (`E'…'`) keep the meaning whatever `standard_conforming_strings` says.
    static func literal(_ value: DatabaseValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let number): return "'\(number)'::int8"
        case .float(let number):
            if number.isNaN { return "'NaN'::float8" }
            if number.isInfinite { return number < 0 ? "'-Infinity'::float8" : "'Infinity'::float8" }
            return "'\(number)'::float8"
        case .text(let text): return escaped(text)
        case .blob(let data):
            var hex = ""
            hex.reserveCapacity(data.count * 2)
            for byte in data {
                hex.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                hex.unicodeScalars.append(hexDigits[Int(byte & 0x0f)])
            }
            return "E'\\\\x\(hex)'::bytea"
        }
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)

    /// Scalar by scalar, not character by character: a quote followed by a combining mark is
    /// one `Character` in Swift but still a quote to the server.
    private static func escaped(_ text: String) -> String {
        var result = "E'"
        result.reserveCapacity(text.utf8.count + 4)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "'": result.unicodeScalars.append(contentsOf: "''".unicodeScalars)
            case "\\": result.unicodeScalars.append(contentsOf: "\\\\".unicodeScalars)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }
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
    static func contains(_ pattern: [UInt8], in bytes: [UInt8], asciiCaseBlind: Bool = false) -> Bool {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return false }
        let mask: UInt8 = asciiCaseBlind ? 0xDF : 0xFF
        return (0...(bytes.count - pattern.count)).contains { start in
            pattern.indices.allSatisfy { bytes[start + $0] & mask == pattern[$0] }
        }
    }
}
