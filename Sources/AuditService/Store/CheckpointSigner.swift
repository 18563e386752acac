import Crypto
import Foundation
import Platform

/// The Audit DB's Ed25519 key and the checkpoints it signs.
///
/// The key is made on the first checkpoint, in the same transaction, and read again for each
/// checkpoint (one every `interval` records), so no copy in memory can outlive a rolled-back
/// write. The private key sits in the Audit DB beside the trail: whoever can rewrite the file
/// can also re-sign it. Pin the key ID (`GET /api/v1/audit/verify` names it; `neuroerp audit
/// verify --public-key`) to catch that.
enum CheckpointSigner {
    /// A checkpoint at least every this many records of a tenant.
    static let interval = 1_000

    static func publicKey(in tx: any SQLExecutor) throws -> Curve25519.Signing.PublicKey? {
        guard let row = try tx.query("SELECT public_key FROM audit_signing_keys ORDER BY created_at LIMIT 1").first,
              let raw = Data(base64Encoded: try row.requireString("public_key"))
        else { return nil }
        return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    private static func privateKey(in tx: any SQLExecutor) throws -> Curve25519.Signing.PrivateKey {
        if let row = try tx.query("SELECT private_key FROM audit_signing_keys ORDER BY created_at LIMIT 1").first,
           let raw = Data(base64Encoded: try row.requireString("private_key")) {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        }
        let key = Curve25519.Signing.PrivateKey()
        try tx.execute(
            "INSERT INTO audit_signing_keys (key_id, public_key, private_key, created_at) VALUES (?, ?, ?, ?)",
            [.text(AuditCheckpoint.keyID(of: key.publicKey)), .text(key.publicKey.rawRepresentation.base64EncodedString()),
             .text(key.rawRepresentation.base64EncodedString()), .text(RFC3339.now())])
        return key
    }

    /// The seq of the tenant's last checkpoint, 0 before the first.
    static func lastSealedSeq(tenant: String, in tx: any SQLExecutor) throws -> Int {
        try tx.query("SELECT MAX(seq) AS seq FROM audit_checkpoints WHERE tenant_id = ?", [.text(tenant)]).first?["seq"].integer ?? 0
    }

    /// Signs the tenant's head record unless a checkpoint already covers it.
    /// - Returns: whether a checkpoint was written.
    @discardableResult
    static func seal(tenant: String, head: (seq: Int, hash: String), in tx: any SQLExecutor) throws -> Bool {
        guard head.seq > 0, try lastSealedSeq(tenant: tenant, in: tx) < head.seq else { return false }
        let key = try privateKey(in: tx)
        var checkpoint = AuditCheckpoint(
            tenant: tenant, seq: head.seq, hash: head.hash, signedAt: RFC3339.string(from: Date(), fractionalSeconds: true),
            keyId: AuditCheckpoint.keyID(of: key.publicKey), signature: "")
        checkpoint.signature = try key.signature(for: checkpoint.signedMessage).base64EncodedString()
        try tx.execute(
            "INSERT INTO audit_checkpoints (tenant_id, seq, hash, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(tenant), .integer(head.seq), .text(head.hash), .text(checkpoint.signedAt), .text(checkpoint.keyId), .text(checkpoint.signature)])
        return true
    }

    static func checkpoints(tenant: String, in tx: any SQLExecutor) throws -> [AuditCheckpoint] {
        try tx.query(
            "SELECT seq, hash, signed_at, key_id, signature FROM audit_checkpoints WHERE tenant_id = ? ORDER BY seq", [.text(tenant)]
        ).map { row in
            AuditCheckpoint(
                tenant: tenant, seq: try row.requireInt("seq"), hash: try row.requireString("hash"),
                signedAt: try row.requireString("signed_at"), keyId: try row.requireString("key_id"),
                signature: try row.requireString("signature"))
        }
    }
}
