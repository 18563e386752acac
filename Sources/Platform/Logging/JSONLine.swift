import Logging

/// Builds one JSON object as UTF-8 bytes, without `JSONSerialization`: logging runs on every
/// request, so this path avoids intermediate objects.
struct JSONLine {
    private(set) var bytes: [UInt8] = []
    private var empty = true

    init() {
        bytes.reserveCapacity(512)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func append(_ key: String, _ value: String) {
        appendKey(key)
        appendQuoted(value)
    }

    mutating func append(_ key: String, _ value: Logger.MetadataValue) {
        appendKey(key)
        appendValue(value)
    }

    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private mutating func appendKey(_ key: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func appendValue(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let string):
            appendQuoted(string)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger {
                bytes.append(contentsOf: "\(number)".utf8)
            } else if let number = convertible as? Double, number.isFinite {
                bytes.append(contentsOf: "\(number)".utf8)
            } else if let flag = convertible as? Bool {
                bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            } else {
                appendQuoted(convertible.description)
            }
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendQuoted(key)
                bytes.append(UInt8(ascii: ":"))
                appendValue(entries[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func appendQuoted(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)  // UTF-8 multi-byte sequences pass through unchanged
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
