import ERPKernel
import Foundation
import Platform

/// TOTP secrets, recovery codes and pending login challenges in the Main DB.
struct MFAStore: Sendable {
    let database: any SQLDatabase

    struct Enrolment: Sendable {
        let secret: String
        let confirmed: Bool
        let lastUsedStep: Int
    }

    func enrolment(of user: EntityID) async throws -> Enrolment? {
        let rows = try await database.read { try $0.query("SELECT * FROM auth_mfa WHERE user_id = ?", [.text(user.description)]) }
        guard let row = rows.first, let secret = row.column("secret")?.string else { return nil }
        return Enrolment(
            secret: secret, confirmed: row.column("confirmed_at")?.string != nil, lastUsedStep: row.column("last_used_step")?.integer ?? 0)
    }

    /// Starts (or restarts) an enrolment; `false` when a confirmed second factor exists already.
    func enrol(user: EntityID, tenant: TenantID, secret: String) async throws -> Bool {
        try await database.write { tx in
            try tx.execute(
                """
                INSERT INTO auth_mfa (user_id, tenant_id, secret) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret WHERE auth_mfa.confirmed_at IS NULL
                """, [.text(user.description), .text(tenant.description), .text(secret)])
            return try tx.changes() == 1
        }
    }

    func confirm(user: EntityID, step: Int, recoveryCodeHashes: [String], events: [EventEnvelope]) async throws {
        try await database.write { tx in
            try tx.execute(
                "UPDATE auth_mfa SET confirmed_at = ?, last_used_step = ?, recovery_code_hashes = ? WHERE user_id = ?",
                [.text(RFC3339.string(from: Date())), .integer(step), .text(Self.json(recoveryCodeHashes)), .text(user.description)])
            try Outbox.append(events, in: tx)
        }
    }

    /// Records a code's step as used; `false` when that step (or a later one) was used already,
    /// so one code cannot log in twice even under concurrent attempts.
    func use(step: Int, of user: EntityID) async throws -> Bool {
        try await database.write { tx in
            try tx.execute(
                "UPDATE auth_mfa SET last_used_step = ? WHERE user_id = ? AND last_used_step < ?",
                [.integer(step), .text(user.description), .integer(step)])
            return try tx.changes() == 1
        }
    }

    /// Spends a recovery code; `false` when it is not one of the user's unspent codes.
    func spendRecoveryCode(hash: String, of user: EntityID) async throws -> Bool {
        try await database.write { tx in
            let rows = try tx.query("SELECT recovery_code_hashes FROM auth_mfa WHERE user_id = ? AND confirmed_at IS NOT NULL", [.text(user.description)])
            guard let text = rows.first?.column("recovery_code_hashes")?.string,
                var hashes = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), let index = hashes.firstIndex(of: hash)
            else { return false }
            hashes.remove(at: index)
            try tx.execute("UPDATE auth_mfa SET recovery_code_hashes = ? WHERE user_id = ?", [.text(Self.json(hashes)), .text(user.description)])
            return true
        }
    }

    func remove(user: EntityID, events: [EventEnvelope]) async throws {
        try await database.write { tx in
            try tx.execute("DELETE FROM auth_mfa WHERE user_id = ?", [.text(user.description)])
            try Outbox.append(events, in: tx)
        }
    }

    // MARK: Login challenges

    func createChallenge(tokenHash: String, user: EntityID, expiresAt: Date) async throws {
        try await database.write { tx in
            try tx.execute(
                "INSERT INTO auth_mfa_challenges (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
                [.text(tokenHash), .text(user.description), .text(RFC3339.string(from: expiresAt))])
        }
    }

    /// The user of a live challenge; `nil` when unknown, expired, used or tried too often.
    func challengeUser(tokenHash: String, maximumFailures: Int) async throws -> EntityID? {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT user_id, expires_at, failed_attempts, used_at FROM auth_mfa_challenges WHERE token_hash = ?", [.text(tokenHash)])
        }
        guard let row = rows.first, row.column("used_at")?.string == nil,
            (row.column("failed_attempts")?.integer ?? 0) < maximumFailures,
            let expiresAt = row.column("expires_at")?.string.flatMap(RFC3339.date(from:)), expiresAt > Date()
        else { return nil }
        return row.column("user_id")?.string.flatMap(EntityID.init)
    }

    func recordFailedAttempt(tokenHash: String) async throws {
        try await database.write { tx in
            try tx.execute("UPDATE auth_mfa_challenges SET failed_attempts = failed_attempts + 1 WHERE token_hash = ?", [.text(tokenHash)])
        }
    }

    /// Marks a challenge used; `false` when it was used already (a second, concurrent attempt).
    func completeChallenge(tokenHash: String) async throws -> Bool {
        try await database.write { tx in
            try tx.execute(
                "UPDATE auth_mfa_challenges SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                [.text(RFC3339.string(from: Date())), .text(tokenHash)])
            return try tx.changes() == 1
        }
    }

    private static func json(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
