import ERPKernel
import Foundation
import Platform

/// Who an actor ID stands for; kept outside the chain (GDPR).
struct ActorDetail: Sendable, Equatable {
    let tenant: String
    let actor: String
    let kind: String
    let name: String?
    let email: String?
}

/// The trail in the Audit DB: appends records to each tenant's hash chain, seals it with
/// checkpoints, and reads it back for queries, verification and export.
struct AuditLedger: Sendable {
    let database: any SQLDatabase

    static let recordColumns =
        "seq, event_id, occurred_at, actor, action, resource_type, resource_id, changes, correlation_id, source, prev_hash, hash"

    /// Appends the records that are not in the trail yet (by event ID), each linked to its
    /// tenant's last, all in one write; signs a checkpoint for every tenant that passed
    /// `CheckpointSigner.interval` records since its last.
    /// - Returns: the records appended (the others were duplicates).
    @discardableResult
    func append(_ records: [AuditRecord], actors: [ActorDetail] = []) async throws -> [AuditRecord] {
        guard !records.isEmpty || !actors.isEmpty else { return [] }
        return try await database.write { tx in
            let appended = try Self.append(records, in: tx)
            for detail in actors { try Self.remember(detail, in: tx) }
            return appended
        }
    }

    static func append(_ records: [AuditRecord], in tx: any SQLExecutor) throws -> [AuditRecord] {
        var heads: [String: (seq: Int, hash: String)] = [:]
        var appended: [AuditRecord] = []
        appended.reserveCapacity(records.count)
        for var record in records {
            let head = try heads[record.tenant] ?? Self.head(of: record.tenant, in: tx)
            record.seq = head.seq + 1
            record.seal(after: head.hash)
            // An event already in the trail is ignored by its unique index: no look-up first.
            try tx.execute(
                "INSERT INTO audit_records (tenant_id, \(recordColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(record.tenant), .integer(record.seq), .text(record.eventId), .text(record.occurredAt), .text(record.actor),
                 .text(record.action), .text(record.resourceType), record.resourceId.map(DatabaseValue.text) ?? .null,
                 .text(record.changes), record.correlationId.map(DatabaseValue.text) ?? .null, .text(record.source),
                 .text(record.prevHash), .text(record.hash)])
            guard try tx.changes() == 1 else { continue }
            heads[record.tenant] = (record.seq, record.hash)
            appended.append(record)
        }
        for (tenant, head) in heads {
            try tx.execute("INSERT INTO audit_tenants (tenant_id) VALUES (?) ON CONFLICT DO NOTHING", [.text(tenant)])
            if head.seq - (try CheckpointSigner.lastSealedSeq(tenant: tenant, in: tx)) >= CheckpointSigner.interval {
                try CheckpointSigner.seal(tenant: tenant, head: head, in: tx)
            }
        }
        return appended
    }

    /// The tenant's last record, or the genesis before its first.
    static func head(of tenant: String, in tx: any SQLExecutor) throws -> (seq: Int, hash: String) {
        guard let row = try tx.query(
            "SELECT seq, hash FROM audit_records WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1", [.text(tenant)]).first
        else { return (0, AuditRecord.genesisHash) }
        return (try row.requireInt("seq"), try row.requireString("hash"))
    }

    /// Names and e-mails as the producers announced them; a pseudonymised actor stays so.
    static func remember(_ detail: ActorDetail, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO audit_actors (tenant_id, actor, kind, name, email) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, actor) DO UPDATE SET kind = excluded.kind, name = COALESCE(excluded.name, audit_actors.name),
                email = COALESCE(excluded.email, audit_actors.email) WHERE audit_actors.pseudonymised_at IS NULL
            """,
            [.text(detail.tenant), .text(detail.actor), .text(detail.kind), detail.name.map(DatabaseValue.text) ?? .null,
             detail.email.map(DatabaseValue.text) ?? .null])
    }

    /// Seals every tenant's unsealed records with a checkpoint.
    /// - Returns: the number of checkpoints written.
    @discardableResult
    func sealAll() async throws -> Int {
        try await database.write { tx in
            var sealed = 0
            for row in try tx.query("SELECT tenant_id FROM audit_tenants") {
                let tenant = try row.requireString("tenant_id")
                if try CheckpointSigner.seal(tenant: tenant, head: Self.head(of: tenant, in: tx), in: tx) { sealed += 1 }
            }
            return sealed
        }
    }

    func seal(tenant: TenantID) async throws {
        try await database.write { tx in
            _ = try CheckpointSigner.seal(tenant: tenant.description, head: Self.head(of: tenant.description, in: tx), in: tx)
        }
    }

    /// Replaces a person's name and e-mail with nothing; the records that name the ID stay as
    /// they were hashed.
    /// - Returns: `false` when the trail knows no such actor.
    func pseudonymise(_ actor: String, tenant: TenantID) async throws -> Bool {
        try await database.write { tx in
            let known = try !tx.query(
                "SELECT 1 FROM audit_actors WHERE tenant_id = ? AND actor = ? UNION ALL SELECT 1 FROM audit_records WHERE tenant_id = ? AND actor = ? LIMIT 1",
                [.text(tenant.description), .text(actor), .text(tenant.description), .text(actor)]).isEmpty
            guard known else { return false }
            try tx.execute(
                """
                INSERT INTO audit_actors (tenant_id, actor, kind, pseudonymised_at) VALUES (?, ?, 'user', ?)
                ON CONFLICT (tenant_id, actor) DO UPDATE SET name = NULL, email = NULL, pseudonymised_at = excluded.pseudonymised_at
                """,
                [.text(tenant.description), .text(actor), .text(RFC3339.now())])
            return true
        }
    }

    static func record(_ row: DatabaseRow, tenant: String) throws -> AuditRecord {
        let values = row.values
        func text(_ index: Int) throws -> String {
            guard let value = values[index].string else { throw UnreadableRowError(column: String(index)) }
            return value
        }
        return AuditRecord(
            seq: values[0].integer ?? 0, tenant: tenant, eventId: try text(1), occurredAt: try text(2), actor: try text(3),
            action: try text(4), resourceType: try text(5), resourceId: values[6].string, changes: try text(7),
            correlationId: values[8].string, source: try text(9), prevHash: try text(10), hash: try text(11))
    }
}
