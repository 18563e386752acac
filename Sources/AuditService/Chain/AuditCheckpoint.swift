import Crypto
import Foundation
import ServiceRuntime

/// A signed statement "tenant T's trail had record `seq` with hash `hash` at `signedAt`".
///
/// A checkpoint seals everything up to its record: rewriting the trail before it means forging
/// an Ed25519 signature, and a record removed from the end shows as a checkpoint without its record.
public struct AuditCheckpoint: Sendable, Equatable {
    public var tenant: String
    public var seq: Int
    public var hash: String
    public var signedAt: String
    /// The first 16 hex digits of SHA-256 over the raw public key.
    public var keyId: String
    /// Ed25519 over `signedMessage`, base64.
    public var signature: String

    /// What the signature covers; a fixed prefix keeps it from being any other message.
    public var signedMessage: Data {
        Data("neuroerp-audit-checkpoint-v1\n\(tenant)\n\(seq)\n\(hash)\n\(signedAt)".utf8)
    }

    public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let signature = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(signature, for: signedMessage)
    }

    public static func keyID(of key: Curve25519.Signing.PublicKey) -> String {
        String(SHA256.hash(data: key.rawRepresentation).hexString.prefix(16))
    }
}
