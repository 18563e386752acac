import ERPKernel
import Foundation
import Platform

/// An API key as listed: never its secret, which exists only in the answer that created it.
struct APIKey: Sendable, Codable, Equatable {
    var id: EntityID
    var tenantId: TenantID
    var name: String
    /// The first characters of the key, so people can tell their keys apart.
    var prefix: String
    var scopes: [String]
    var createdBy: EntityID
    var createdAt: Date
    var revokedAt: Date?
}

/// API keys for external systems in the Main DB, stored as SHA-256.
struct APIKeyStore: Sendable {
    let database: any SQLDatabase

    func create(_ key: APIKey, keyHash: String, events: [EventEnvelope]) async throws {
        try await database.write { tx in
            try tx.execute(
                """
                INSERT INTO auth_api_keys (id, tenant_id, name, key_hash, prefix, scopes, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(key.id.description), .text(key.tenantId.description), .text(key.name), .text(keyHash), .text(key.prefix),
                 .text(String(decoding: try JSONEncoder().encode(key.scopes), as: UTF8.self)), .text(key.createdBy.description),
                 .text(RFC3339.string(from: key.createdAt))])
            try Outbox.append(events, in: tx)
        }
    }

    func list(tenant: TenantID, page: PageRequest) async throws -> Page<APIKey> {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT * FROM auth_api_keys WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? ""), .integer(page.limit + 1)])
        }
        let keys = rows.prefix(page.limit).compactMap(Self.key(from:))
        return Page(data: keys, nextCursor: rows.count > page.limit ? keys.last?.id.description : nil)
    }

    /// Revokes a key of the tenant; `false` when the tenant has no such unrevoked key.
    func revoke(tenant: TenantID, id: EntityID, events: [EventEnvelope]) async throws -> Bool {
        try await database.write { tx in
            try tx.execute(
                "UPDATE auth_api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL",
                [.text(RFC3339.string(from: Date())), .text(tenant.description), .text(id.description)])
            guard try tx.changes() == 1 else { return false }
            try Outbox.append(events, in: tx)
            return true
        }
    }

    /// The live key with this hash, `nil` for an unknown or revoked one.
    func activeKey(hash: String) async throws -> APIKey? {
        let rows = try await database.read { reader in
            try reader.query("SELECT * FROM auth_api_keys WHERE key_hash = ? AND revoked_at IS NULL", [.text(hash)])
        }
        return rows.first.flatMap(Self.key(from:))
    }

    private static func key(from row: DatabaseRow) -> APIKey? {
        guard let id = row.column("id")?.string.flatMap(EntityID.init),
            let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init),
            let name = row.column("name")?.string, let prefix = row.column("prefix")?.string,
            let scopes = row.column("scopes")?.string.flatMap({ try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }),
            let createdBy = row.column("created_by")?.string.flatMap(EntityID.init),
            let createdAt = row.column("created_at")?.string.flatMap(RFC3339.date(from:))
        else { return nil }
        return APIKey(
            id: id, tenantId: tenant, name: name, prefix: prefix, scopes: scopes, createdBy: createdBy, createdAt: createdAt,
            revokedAt: row.column("revoked_at")?.string.flatMap(RFC3339.date(from:)))
    }
}
