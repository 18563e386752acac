import Crypto
import ERPKernel
import Foundation
import JWTKit
import Platform
import ServiceRuntime
import Synchronization

/// The Ed25519 keys that sign access tokens, kept in the Main DB so a restart logs nobody out.
///
/// One key signs; keys retired by a rotation stay published in the JWKS until every token they
/// signed has expired.
final class SigningKeys: Sendable {
    struct Loaded: Sendable {
        let signer: JWTKeyCollection
        let activeKid: String
        let jwks: Data
    }

    private let database: any SQLDatabase
    private let accessTokenLifetime: Duration
    private let loaded = Mutex<Loaded?>(nil)
    private let loading = AsyncLock()

    init(database: any SQLDatabase, accessTokenLifetime: Duration) {
        self.database = database
        self.accessTokenLifetime = accessTokenLifetime
    }

    /// The keys, loaded (and the first one made) on first use.
    func current() async throws -> Loaded {
        if let loaded = loaded.withLock({ $0 }) { return loaded }
        return try await loading.withLock {
            if let loaded = loaded.withLock({ $0 }) { return loaded }
            let made = try await load()
            loaded.withLock { $0 = made }
            return made
        }
    }

    /// How often a process looks for a key another process made; retired keys stay published
    /// at least this much longer, so tokens such a process signed meanwhile still verify.
    static let reloadInterval: Duration = .seconds(60)

    /// Makes a new signing key and retires the current one, which stays published until the
    /// tokens it signed have expired.
    func rotate() async throws {
        try await rotate(ifOlderThan: nil)
    }

    /// Rotates when the active key is older than `age` (`nil`: always). Decided inside the write
    /// transaction, so two auth processes on one database do not both rotate.
    /// - Returns: whether a new key was made.
    @discardableResult
    func rotate(ifOlderThan age: Duration?) async throws -> Bool {
        try await loading.withLock {
            let now = Date()
            let rotated = try await database.write { tx -> Bool in
                if let age {
                    let rows = try tx.query("SELECT created_at FROM auth_signing_keys WHERE retired_at IS NULL")
                    let created = rows.compactMap { $0.column("created_at")?.string.flatMap(RFC3339.date(from:)) }.max()
                    if let created, now.timeIntervalSince(created) < Double(age.components.seconds) { return false }
                }
                try tx.execute("UPDATE auth_signing_keys SET retired_at = ? WHERE retired_at IS NULL", [.text(RFC3339.string(from: now))])
                try Self.insertNewKey(in: tx)
                return true
            }
            loaded.withLock { $0 = nil }
            return rotated
        }
    }

    /// Forgets the loaded keys, so the next use reads them again (a key another process made).
    func reload() {
        loaded.withLock { $0 = nil }
    }

    private func load() async throws -> Loaded {
        var rows = try await publishedKeys()
        if !rows.contains(where: { $0.retiredAt == nil }) {
            try await database.write { tx in
                let active = try tx.query("SELECT kid FROM auth_signing_keys WHERE retired_at IS NULL")
                if active.isEmpty { try Self.insertNewKey(in: tx) }
            }
            rows = try await publishedKeys()
        }
        guard let active = rows.first(where: { $0.retiredAt == nil }) else { throw KeyUnavailable() }
        let signer = JWTKeyCollection()
        let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(base64Encoded: active.privateKey) ?? Data())
        await signer.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: JWKIdentifier(string: active.kid))
        let keys: [JSONValue] = rows.map { row in
            ["kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": .string(row.kid), "x": .string(row.publicKey)]
        }
        return Loaded(signer: signer, activeKid: active.kid, jwks: try JSONCoding.encoder.encode(JSONValue.object(["keys": .array(keys)])))
    }

    private struct KeyRow {
        let kid: String
        let privateKey: String
        let publicKey: String
        let retiredAt: Date?
    }

    /// The active key and the retired ones whose tokens may still be valid.
    private func publishedKeys() async throws -> [KeyRow] {
        let margin = Double(Self.reloadInterval.components.seconds) + 60
        let oldestStillValid = Date().addingTimeInterval(-Double(accessTokenLifetime.components.seconds) - margin)
        let rows = try await database.read { reader in
            try reader.query("SELECT kid, private_key, public_key, retired_at FROM auth_signing_keys ORDER BY created_at")
        }
        return rows.compactMap { row -> KeyRow? in
            guard let kid = row.column("kid")?.string, let privateKey = row.column("private_key")?.string,
                let publicKey = row.column("public_key")?.string
            else { return nil }
            let retiredAt = row.column("retired_at")?.string.flatMap(RFC3339.date(from:))
            if let retiredAt, retiredAt < oldestStillValid { return nil }
            return KeyRow(kid: kid, privateKey: privateKey, publicKey: publicKey, retiredAt: retiredAt)
        }
    }

    private static func insertNewKey(in tx: any SQLExecutor) throws {
        let key = Curve25519.Signing.PrivateKey()
        try tx.execute(
            "INSERT INTO auth_signing_keys (kid, algorithm, private_key, public_key, created_at) VALUES (?, 'EdDSA', ?, ?, ?)",
            [.text(EntityID.generate().description), .text(key.rawRepresentation.base64EncodedString()),
             .text(key.publicKey.rawRepresentation.base64URLEncodedString()), .text(RFC3339.string(from: Date(), fractionalSeconds: true))])
    }

    struct KeyUnavailable: Error {}
}
