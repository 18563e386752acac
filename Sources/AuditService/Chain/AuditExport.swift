import Crypto
import ERPKernel
import Foundation
import ServiceRuntime

/// The export format: JSON Lines. A header (tenant, public key), then the records in trail
/// order, each checkpoint right after the record it seals. Every record carries its fields as
/// they were hashed, so the file can be checked without the server.
public enum AuditExport {
    public static let format = "neuroerp-audit-export-v1"

    public static func headerLine(tenant: String, publicKey: String?, exportedAt: String) -> [UInt8] {
        var json = JSONWriter(capacity: 256)
        json.object { json in
            json.field("exportedAt", exportedAt)
            json.field("format", format)
            json.field("keyId", publicKey.flatMap(Self.publicKey).map(AuditCheckpoint.keyID))
            json.fieldOrNull("publicKey", publicKey)
            json.field("tenant", tenant)
            json.field("type", "header")
        }
        return json.bytes + [UInt8(ascii: "\n")]
    }

    public static func line(_ record: AuditRecord) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + record.changes.utf8.count)
        json.object { json in
            json.field("action", record.action)
            json.field("actor", record.actor)
            json.field("changes", record.changes)
            json.fieldOrNull("correlationId", record.correlationId)
            json.field("eventId", record.eventId)
            json.field("hash", record.hash)
            json.field("occurredAt", record.occurredAt)
            json.field("prevHash", record.prevHash)
            json.fieldOrNull("resourceId", record.resourceId)
            json.field("resourceType", record.resourceType)
            json.field("seq", record.seq)
            json.field("source", record.source)
            json.field("type", "record")
        }
        return json.bytes + [UInt8(ascii: "\n")]
    }

    public static func line(_ checkpoint: AuditCheckpoint) -> [UInt8] {
        var json = JSONWriter(capacity: 256)
        json.object { json in
            json.field("hash", checkpoint.hash)
            json.field("keyId", checkpoint.keyId)
            json.field("seq", checkpoint.seq)
            json.field("signature", checkpoint.signature)
            json.field("signedAt", checkpoint.signedAt)
            json.field("type", "checkpoint")
        }
        return json.bytes + [UInt8(ascii: "\n")]
    }

    static func publicKey(_ base64: String) -> Curve25519.Signing.PublicKey? {
        Data(base64Encoded: base64).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
    }
}
