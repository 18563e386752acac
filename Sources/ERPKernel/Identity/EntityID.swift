import Foundation
import Synchronization

/// The identity of every record: a time-ordered UUID (version 7, RFC 9562).
///
/// IDs made in one process are strictly increasing, even within one millisecond, so rows keyed
/// by them are appended to the end of an index instead of scattered across it.
public struct EntityID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    /// Parses the canonical text form; `nil` for anything that is not a UUID.
    public init?(_ text: String) {
        guard let id = text.utf8.withContiguousStorageIfAvailable(EntityID.parse) ?? Array(text.utf8).withUnsafeBufferPointer(EntityID.parse) else {
            return nil
        }
        self = id
    }

    public init?(_ text: Substring) {
        guard let id = text.utf8.withContiguousStorageIfAvailable(EntityID.parse) ?? Array(text.utf8).withUnsafeBufferPointer(EntityID.parse) else {
            return nil
        }
        self = id
    }

    /// Parsed by hand over the UTF-8 bytes: `UUID(uuidString:)` goes through `sscanf` on Linux,
    /// and every ID in every request and row is parsed. Concrete, not generic, so that no call
    /// pays for generic metadata look-ups at run time.
    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> EntityID? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { bytes -> Bool in
            var index = 0
            var position = 0
            while position < 36 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard text[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                    continue
                }
                guard let high = nibble(text[position]), let low = nibble(text[position + 1]) else { return false }
                bytes[index] = high << 4 | low
                index += 1
                position += 2
            }
            return true
        }
        return valid ? EntityID(uuid: UUID(uuid: uuid)) : nil
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A new version-7 ID from the shared monotonic generator.
    public static func generate() -> EntityID { UUIDv7Generator.shared.next() }

    /// Lower-case canonical text. Written by hand: `uuidString` formats through `snprintf` on
    /// Linux, and IDs are formatted for every bound statement parameter.
    public var description: String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                let digits: StaticString = "0123456789abcdef"
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    digits.withUTF8Buffer { hex in
                        text[position] = hex[Int(byte >> 4)]
                        text[position + 1] = hex[Int(byte & 0x0f)]
                    }
                    position += 2
                }
                return position
            }
        }
    }

    /// Milliseconds since the Unix epoch encoded in a version-7 ID.
    public var unixMilliseconds: UInt64 {
        let b = uuid.uuid
        return [b.0, b.1, b.2, b.3, b.4, b.5].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    public static func < (lhs: EntityID, rhs: EntityID) -> Bool {
        withUnsafeBytes(of: lhs.uuid.uuid) { l in
            withUnsafeBytes(of: rhs.uuid.uuid) { r in l.lexicographicallyPrecedes(r) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = EntityID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Makes version-7 UUIDs that never go backwards within the process.
///
/// The 12 bits after the timestamp hold a counter (RFC 9562, method 1) that restarts at a random
/// value each millisecond; when it overflows, the timestamp is advanced by one millisecond.
public final class UUIDv7Generator: Sendable {
    public static let shared = UUIDv7Generator()

    private struct State {
        var lastMilliseconds: UInt64 = 0
        var counter: UInt16 = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> UInt64

    public init(now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.now = now
    }

    public func next() -> EntityID {
        let (milliseconds, counter) = state.withLock { state -> (UInt64, UInt16) in
            let current = now()
            if current > state.lastMilliseconds {
                state.lastMilliseconds = current
                state.counter = UInt16.random(in: 0..<0x0800)  // leave headroom before overflow
            } else if state.counter >= 0x0FFF {
                state.lastMilliseconds += 1
                state.counter = 0
            } else {
                state.counter += 1
            }
            return (state.lastMilliseconds, state.counter)
        }
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: tail >> (8 * (15 - index))) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
        return EntityID(uuid: uuid)
    }
}
