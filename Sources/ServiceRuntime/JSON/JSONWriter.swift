import Foundation
import Platform

/// Writes compact JSON straight into bytes, for documents built on a hot path where the
/// `Encoder` machinery costs more than the work around it.
///
/// The text is what `JSONCoding.encoder` writes for the same values when the caller writes the
/// members of each object in sorted key order and leaves out `nil` members, as synthesized
/// `Codable` does (`fieldOrNull` writes an explicit `null` instead).
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// No comma before the next member or element.
    private var atStart = true

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var data: Data { Data(bytes) }

    // MARK: - Containers

    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atStart = true
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    public mutating func array<S: Sequence>(_ elements: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        atStart = true
        for value in elements { element(&self, value) }
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    // MARK: - Members

    public mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        literal(value.description)
    }

    public mutating func field(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        literal(value ? "true" : "false")
    }

    /// A date as `JSONCoding.encoder` writes it: ISO 8601 in UTC, whole seconds.
    public mutating func field(_ name: String, _ value: Date?) {
        guard let value else { return }
        key(name)
        separate()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(value, fractionalSeconds: false, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// The member with `null` when `value` is `nil`, for payloads whose readers expect every key.
    public mutating func fieldOrNull(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { literal("null") }
    }

    public mutating func object(_ name: String, _ members: (inout JSONWriter) -> Void) {
        key(name)
        object(members)
    }

    public mutating func array<S: Sequence>(_ name: String, _ elements: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        key(name)
        array(elements, element)
    }

    /// Starts a member: the comma before it, its name and the colon; its value follows.
    public mutating func key(_ name: String) {
        separate()
        Self.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        atStart = true
    }

    /// A string value: an array element, or the value after `key`.
    public mutating func string(_ value: String) {
        separate()
        Self.writeString(value, into: &bytes)
    }

    /// A value the caller formatted: a number, `true`, `false` or `null`.
    public mutating func literal(_ text: String) {
        separate()
        bytes += text.utf8
    }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
        atStart = false
    }

    // MARK: - Scalars

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes as Foundation's `JSONEncoder` does (without escaping slashes).
    static func writeString(_ value: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escape: then it is copied in one go.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes += value.utf8
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                bytes += "\\u00".utf8
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0f)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
