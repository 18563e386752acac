import ERPKernel

/// Any JSON member name, for looking at the keys an object really has.
public struct AnyCodingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension Decoder {
    /// Refuses members the request type does not know, so a typo (`"stauts"`) is a 400 instead
    /// of a silently ignored change.
    /// - Throws: a validation `Problem` naming each unknown member.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let unknown = try container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw Problem.validation(
                "Unknown field(s): \(unknown.joined(separator: ", ")); known: \(allowed.sorted().joined(separator: ", ")).",
                invalidParams: unknown.map { InvalidParam(name: $0, reason: "unknown field") })
        }
    }
}

/// A request type whose JSON members are known, so `Strict` can refuse any other.
public protocol KnownFields: Decodable {
    static var fields: Set<String> { get }
}

/// Decodes `Value` and refuses members it does not know (see `rejectUnknownKeys`), without
/// giving up the synthesised `Decodable` conformance.
public struct Strict<Value: KnownFields>: Decodable {
    public let value: Value

    public init(value: Value) { self.value = value }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Value.fields)
        value = try Value(from: decoder)
    }
}

extension Strict: Sendable where Value: Sendable {}

/// Encodes as the value itself, so a request can be stored or fingerprinted as it was sent.
extension Strict: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
