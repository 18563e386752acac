import Crypto
import ERPKernel
import Foundation
import ServiceRuntime

/// One entry of a tenant's audit trail, as stored, exported and hashed.
///
/// Every field is text (or null), so the canonical form is unambiguous: `changes` is kept as
/// the JSON text it was recorded with, not re-encoded. `seq` is the position in the trail and is
/// deliberately outside the hash: the chain itself (`prevHash`) fixes the order, so a record
/// inserted or removed by renumbering shows up as a broken link, not as every later record changed.
public struct AuditRecord: Sendable, Equatable, Codable {
    public var seq: Int
    public var tenant: String
    public var eventId: String
    /// When it happened (RFC 3339, milliseconds, UTC).
    public var occurredAt: String
    /// A user ID, an API key ID or `service:<name>`; names and e-mails live apart (GDPR).
    public var actor: String
    /// The event type without its version: `transactions.article.changed`.
    public var action: String
    public var resourceType: String
    public var resourceId: String?
    /// `{"field": {"from": …, "to": …}}` as JSON text.
    public var changes: String
    /// The W3C trace ID of the request that caused it.
    public var correlationId: String?
    public var source: String
    public var prevHash: String
    public var hash: String

    /// The hash before the first record of every trail.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The bytes the hash covers: every field but `seq`, `prevHash` and `hash`, as compact JSON in
    /// key order.
    public var canonicalForm: [UInt8] {
        var json = JSONWriter(capacity: 256 + changes.utf8.count)
        json.object { json in
            json.field("action", action)
            json.field("actor", actor)
            json.field("changes", changes)
            json.fieldOrNull("correlationId", correlationId)
            json.field("eventId", eventId)
            json.field("occurredAt", occurredAt)
            json.fieldOrNull("resourceId", resourceId)
            json.field("resourceType", resourceType)
            json.field("source", source)
            json.field("tenant", tenant)
        }
        return json.bytes
    }

    /// SHA-256 over the previous record's hash (hex), a newline, and this record's canonical form.
    public static func hash(prev: String, canonical: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(prev.utf8))
        hasher.update(data: [UInt8(ascii: "\n")])
        hasher.update(data: canonical)
        return hasher.finalize().hexString
    }

    /// Whether the stored hash is the hash of the stored content: `false` means the record was edited.
    public var contentMatchesHash: Bool { Self.hash(prev: prevHash, canonical: canonicalForm) == hash }

    /// Links the record after `prev` and computes its hash.
    public mutating func seal(after prev: String) {
        prevHash = prev
        hash = Self.hash(prev: prev, canonical: canonicalForm)
    }
}
