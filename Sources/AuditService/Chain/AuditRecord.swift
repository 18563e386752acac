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

    /// The bytes the hash covers: every field but `seq`, `prevHash` and `hash`, in a fixed order,
    /// each as a netstring (`<UTF-8 length>:<bytes>,`) and a missing one as `~,`. Length
    /// prefixes make the form unambiguous without escaping anything, so it is cheap to build
    /// and easy to rebuild in any language.
    public var canonicalForm: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + changes.utf8.count)
        for field in [tenant, eventId, occurredAt, actor, action, resourceType, resourceId, changes, correlationId, source] {
            Self.appendField(field?.utf8, to: &bytes)
        }
        return bytes
    }

    /// The canonical form's fields after `tenant`, in order, and whether each may be missing:
    /// what an export's record line must hold to be hashed.
    static let canonicalFields: [(name: String, optional: Bool)] = [
        ("eventId", false), ("occurredAt", false), ("actor", false), ("action", false), ("resourceType", false),
        ("resourceId", true), ("changes", false), ("correlationId", true), ("source", false),
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
