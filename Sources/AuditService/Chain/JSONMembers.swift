import Foundation

/// The members of one JSON object, each value kept as its raw JSON text.
///
/// The trail never needs a payload's values as Swift values: it copies them into `changes`,
/// compares them, or reads a few strings. Scanning the bytes once does that at a fraction of
/// what `JSONSerialization` costs (its `Any` bridging dominated the ingest profile), and it
/// reads an export's flat lines the same way.
struct JSONMembers {
    let bytes: ArraySlice<UInt8>
    /// Each member's key (between its quotes) and raw value, as byte ranges in `bytes`, in the
    /// order they appear. Searched in a line rather than hashed: objects here have a dozen
    /// members, and building a dictionary, or even the key strings, per line cost more than the scan.
    private var members: [(key: Range<Int>, value: Range<Int>)] = []

    init?(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// `nil` when `bytes` is not one JSON object (surrounding white space allowed).
    init?(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        var members: [(key: Range<Int>, value: Range<Int>)] = []
        members.reserveCapacity(16)
        let base = bytes.startIndex
        let valid = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var scanner = Scanner(bytes: buffer)
            guard scanner.skipSpace(), scanner.take(UInt8(ascii: "{")) else { return false }
            if !(scanner.skipSpace() && scanner.take(UInt8(ascii: "}"))) {
                repeat {
                    guard scanner.skipSpace(), let key = scanner.skipValue(), buffer[key.lowerBound] == UInt8(ascii: "\""),
                          scanner.skipSpace(), scanner.take(UInt8(ascii: ":")), scanner.skipSpace(), let value = scanner.skipValue(),
                          scanner.skipSpace()
                    else { return false }
                    members.append(((key.lowerBound + 1 + base)..<(key.upperBound - 1 + base), (value.lowerBound + base)..<(value.upperBound + base)))
                } while scanner.take(UInt8(ascii: ","))
                guard scanner.take(UInt8(ascii: "}")) else { return false }
            }
            return scanner.skipSpace() && scanner.position == buffer.count
        }
        guard valid else { return nil }
        self.members = members
    }

    /// The keys in the order they appear; a key with escapes is taken as written.
    var keys: [String] {
        var seen = Set<String>()
        return members.reversed().map { String(decoding: bytes[$0.key], as: UTF8.self) }.filter { seen.insert($0).inserted }.reversed()
    }

    /// The raw value of `key`; of the last, when a key repeats.
    func raw(_ key: String) -> ArraySlice<UInt8>? {
        var key = key
        return key.withUTF8 { wanted in
            for member in members.reversed() where member.key.count == wanted.count {
                guard !wanted.isEmpty else { return bytes[member.value] }
                if bytes[member.key].withUnsafeBufferPointer({ memcmp($0.baseAddress!, wanted.baseAddress!, wanted.count) == 0 }) {
                    return bytes[member.value]
                }
            }
            return nil
        }
    }

    /// The member's value when it is a string.
    func string(_ key: String) -> String? {
        raw(key).flatMap { raw in raw.withUnsafeBufferPointer(Self.string) }
    }

    /// The member's value when it is a whole number.
    func integer(_ key: String) -> Int? {
        guard let raw = raw(key), raw.allSatisfy({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(String(decoding: raw, as: UTF8.self))
    }

    func isNull(_ key: String) -> Bool { raw(key).map { $0.elementsEqual("null".utf8) } ?? true }

    /// The member's value when it is an object.
    func object(_ key: String) -> JSONMembers? {
        guard let raw = raw(key), raw.first == UInt8(ascii: "{") else { return nil }
        return JSONMembers(raw)
    }

    /// Moves over the bytes of one object; every step says whether it could.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        /// Always succeeds; returns `true` so that it chains in a `guard`.
        mutating func skipSpace() -> Bool {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return true
                }
            }
            return true
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// Moves past one value (string, number, literal, object or array) and returns its range.
        mutating func skipValue() -> Range<Int>? {
            let start = position
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\\"): position += 2
                    case UInt8(ascii: "\""):
                        position += 1
                        return start..<position
                    default: position += 1
                    }
                }
                return nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\""):
                        guard skipValue() != nil else { return nil }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            position += 1
                            return start..<position
                        }
                    default: break
                    }
                    position += 1
                }
                return nil
            default:
                scan: while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: break scan
                    default: position += 1
                    }
                }
                return position > start ? start..<position : nil
            }
        }
    }

    /// A JSON string's text, its escapes resolved; `nil` when `raw` is not a valid string.
    static func string(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        guard raw.count >= 2, raw.first == UInt8(ascii: "\""), raw.last == UInt8(ascii: "\"") else { return nil }
        let body = UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)])
        // `decoding` replaces invalid UTF-8 with U+FFFD: a record so damaged fails its hash.
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        guard unescape(raw, into: &out) else { return nil }
        return out.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends a JSON string's UTF-8 bytes, its escapes resolved, to `out`.
    /// - Returns: `false` when `raw` is not a valid string (`out` may then hold part of it).
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard raw.count >= 2, raw.first == UInt8(ascii: "\""), raw.last == UInt8(ascii: "\"") else { return false }
        let body = UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)])
        guard body.contains(UInt8(ascii: "\\")) else {
            out.append(contentsOf: body)
            return true
        }
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= body.count else { return nil }
            return UInt32(String(decoding: UnsafeBufferPointer(rebasing: body[at..<at + 4]), as: UTF8.self), radix: 16)
        }
        while index < body.count {
            let byte = body[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < body.count else { return false }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index) else { return false }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < body.count, body[index] == UInt8(ascii: "\\"), body[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(index + 2), (0xDC00..<0xE000).contains(low)
                    else { return false }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return false }
                out += Array(String(Character(unicode)).utf8)
            default: return false
            }
        }
        return true
    }
}
