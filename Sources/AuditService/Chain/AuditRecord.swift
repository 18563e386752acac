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
public struct AuditRecord: Sendable, Equatable {
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
    /// `{"after": {…}, "before": {…}}` as JSON text (`before` only for a change of something).
    public var changes: String
    /// The W3C trace ID of the request that caused it.
    public var correlationId: String?
    public var source: String
    public var prevHash: String
    public var hash: String

    /// The hash before the first record of every trail.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The bytes the hash covers: every field but `seq`, `prevHash` and `hash`, in a fixed order,
    /// each as a netstring (`<UTF-8 length>:<bytes>,`) and a missing one as `~,`. Length
    /// prefixes make the form unambiguous without escaping anything, so it is cheap to build
    /// and easy to rebuild in any language.
    public var canonicalForm: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + changes.utf8.count)
        Self.appendField(tenant.utf8, to: &bytes)
        for field in Self.canonicalFields { Self.appendField(field.value(self)?.utf8, to: &bytes) }
        return bytes
    }

    /// One field of the canonical form after `tenant`: its name in an export's record line,
    /// whether it may be missing, and its value.
    struct CanonicalField: Sendable {
        let name: String
        let optional: Bool
        let value: @Sendable (AuditRecord) -> String?
    }

    /// The canonical form's fields after `tenant`, in their order: the one list both the
    /// server's hashing and an export's check follow.
    static let canonicalFields = [
        CanonicalField(name: "eventId", optional: false) { $0.eventId },
        CanonicalField(name: "occurredAt", optional: false) { $0.occurredAt },
        CanonicalField(name: "actor", optional: false) { $0.actor },
        CanonicalField(name: "action", optional: false) { $0.action },
        CanonicalField(name: "resourceType", optional: false) { $0.resourceType },
        CanonicalField(name: "resourceId", optional: true) { $0.resourceId },
        CanonicalField(name: "changes", optional: false) { $0.changes },
        CanonicalField(name: "correlationId", optional: true) { $0.correlationId },
        CanonicalField(name: "source", optional: false) { $0.source },
    ]

    /// One field of the canonical form: a netstring, or `~,` for a missing one.
    static func appendField(_ utf8: (some Collection<UInt8>)?, to bytes: inout [UInt8]) {
        guard let utf8 else {
            bytes += "~,".utf8
            return
        }
        bytes += String(utf8.count).utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += utf8
        bytes.append(UInt8(ascii: ","))
    }

    /// SHA-256 over the previous record's hash (hex), a newline, and this record's canonical form.
    public static func hash(prev: String, canonical: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(prev.utf8))
        hasher.update(data: [UInt8(ascii: "\n")])
        hasher.update(data: canonical)
        return hex(hasher.finalize())
    }

    /// Lower-case hex of a digest, written straight into the string's storage: a verification
    /// formats a million of them.
    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { text in
                for (index, byte) in bytes.enumerated() {
                    text[index * 2] = hexDigits[Int(byte >> 4)]
                    text[index * 2 + 1] = hexDigits[Int(byte & 0x0f)]
                }
                return bytes.count * 2
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public var link: ChainLink { ChainLink(seq: seq, eventId: eventId, prevHash: prevHash, hash: hash) }

    /// Whether the stored hash is the hash of the stored content: `false` means the record was edited.
    public var contentMatchesHash: Bool { Self.hash(prev: prevHash, canonical: canonicalForm) == hash }

    /// Links the record after `prev` and computes its hash.
    public mutating func seal(after prev: String) {
        prevHash = prev
        hash = Self.hash(prev: prev, canonical: canonicalForm)
    }
}
