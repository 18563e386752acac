import ERPKernel
import Foundation
import Platform

/// Password hashes and refresh-token families in the Main DB.
struct CredentialStore: Sendable {
    let database: any SQLDatabase

    struct Credentials: Sendable {
        let userID: EntityID
        let tenantID: TenantID
        let passwordHash: String
    }

    func setCredentials(userID: EntityID, tenantID: TenantID, email: String, passwordHash: String) async throws {
        try await database.write { tx in
            try tx.execute(
                """
                INSERT INTO auth_credentials (user_id, tenant_id, email, password_hash, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, password_hash = excluded.password_hash,
                    updated_at = excluded.updated_at
                """,
                [.text(userID.description), .text(tenantID.description), .text(email.lowercased()), .text(passwordHash),
                 .text(RFC3339.string(from: Date()))])
        }
    }

    func credentials(email: String) async throws -> Credentials? {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT user_id, tenant_id, password_hash FROM auth_credentials WHERE email = ?", [.text(email.lowercased())])
        }
        guard let row = rows.first, let user = row.column("user_id")?.string.flatMap(EntityID.init),
            let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init), let hash = row.column("password_hash")?.string
        else { return nil }
        return Credentials(userID: user, tenantID: tenant, passwordHash: hash)
    }

    /// Starts a refresh-token family (one login) with its first token.
    func startFamily(tenant: TenantID, user: EntityID, tokenHash: String, expiresAt: Date, events: [EventEnvelope]) async throws {
        try await database.write { tx in
            let family = EntityID.generate().description
            let now = RFC3339.string(from: Date())
            try tx.execute(
                "INSERT INTO auth_refresh_families (id, tenant_id, user_id, created_at) VALUES (?, ?, ?, ?)",
                [.text(family), .text(tenant.description), .text(user.description), .text(now)])
            try tx.execute(
                "INSERT INTO auth_refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                [.text(tokenHash), .text(family), .text(now), .text(RFC3339.string(from: expiresAt))])
            try Outbox.append(events, in: tx)
        }
    }

    enum RefreshOutcome: Sendable, Equatable {
        case rotated(user: EntityID, tenant: TenantID, family: String)
        /// An already-used token came back: someone holds a copy. The family is revoked now.
        case reused(user: EntityID, tenant: TenantID, family: String)
        case expired, revoked, unknown
    }

    /// Exchanges a refresh token for its successor. The common case is one statement: the
    /// successor is inserted only if the token is unused, unexpired and its family not revoked,
    /// and a trigger marks the token used in the same statement, so two concurrent uses of one
    /// token cannot both succeed. Anything else is sorted out afterwards.
    /// - Parameter reuseEvents: recorded with the revocation when the token was used before.
    func rotate(
        tokenHash: String, successorHash: String, successorExpiresAt: Date,
        reuseEvents: @escaping @Sendable (EntityID, TenantID) -> [EventEnvelope]
    ) async throws -> RefreshOutcome {
        let now = RFC3339.string(from: Date())
        let inserted = try await database.writeStatement(
            """
            INSERT INTO auth_refresh_tokens (token_hash, family_id, issued_at, expires_at, predecessor, user_id, tenant_id)
            SELECT ?, t.family_id, ?, ?, t.token_hash, f.user_id, f.tenant_id
            FROM auth_refresh_tokens t JOIN auth_refresh_families f ON f.id = t.family_id
            WHERE t.token_hash = ? AND t.used_at IS NULL AND f.revoked_at IS NULL AND t.expires_at > ?
            RETURNING family_id, user_id, tenant_id
            """,
            [.text(successorHash), .text(now), .text(RFC3339.string(from: successorExpiresAt)), .text(tokenHash), .text(now)])
        if let row = inserted.first, let family = row.column("family_id")?.string,
            let user = row.column("user_id")?.string.flatMap(EntityID.init),
            let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init)
        {
            return .rotated(user: user, tenant: tenant, family: family)
        }
        // Not rotated: find out why.
        let rows = try await database.read { reader in
            try reader.query(
                """
                SELECT t.family_id, t.expires_at, t.used_at, f.user_id, f.tenant_id, f.revoked_at
                FROM auth_refresh_tokens t JOIN auth_refresh_families f ON f.id = t.family_id WHERE t.token_hash = ?
                """, [.text(tokenHash)])
        }
        guard let row = rows.first, let tokenFamily = row.column("family_id")?.string,
            let user = row.column("user_id")?.string.flatMap(EntityID.init),
            let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init)
        else { return .unknown }
        if row.column("revoked_at")?.string != nil { return .revoked }
        if row.column("used_at")?.string != nil {
            try await database.write { tx in
                try revoke(family: tokenFamily, reason: "refresh_token_reused", in: tx)
                try Outbox.append(reuseEvents(user, tenant), in: tx)
            }
            return .reused(user: user, tenant: tenant, family: tokenFamily)
        }
        return .expired
    }

    /// Revokes the family a token belongs to (logout). Returns its owner, `nil` for an unknown token.
    func revokeFamily(ofToken tokenHash: String, reason: String, events: @escaping @Sendable (EntityID, TenantID) -> [EventEnvelope]) async throws -> Bool {
        try await database.write { tx in
            let rows = try tx.query(
                """
                SELECT f.id, f.user_id, f.tenant_id FROM auth_refresh_tokens t JOIN auth_refresh_families f ON f.id = t.family_id
                WHERE t.token_hash = ? AND f.revoked_at IS NULL
                """, [.text(tokenHash)])
            guard let row = rows.first, let family = row.column("id")?.string,
                let user = row.column("user_id")?.string.flatMap(EntityID.init),
                let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init)
            else { return false }
            try revoke(family: family, reason: reason, in: tx)
            try Outbox.append(events(user, tenant), in: tx)
            return true
        }
    }

    func revoke(family: String, reason: String) async throws {
        try await database.write { try revoke(family: family, reason: reason, in: $0) }
    }

    private func revoke(family: String, reason: String, in tx: any SQLExecutor) throws {
        try tx.execute(
            "UPDATE auth_refresh_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL",
            [.text(RFC3339.string(from: Date())), .text(reason), .text(family)])
    }
}
