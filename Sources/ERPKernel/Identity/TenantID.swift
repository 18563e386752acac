/// The Mandant a record belongs to. Every row carries one; no query crosses tenants.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let id: EntityID

    public init(_ id: EntityID) { self.id = id }

    public init?(_ text: String) {
        guard let id = EntityID(text) else { return nil }
        self.id = id
    }

    public init?(_ text: Substring) {
        guard let id = EntityID(text) else { return nil }
        self.id = id
    }

    public var description: String { id.description }

    public init(from decoder: any Decoder) throws { id = try EntityID(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try id.encode(to: encoder) }
}
