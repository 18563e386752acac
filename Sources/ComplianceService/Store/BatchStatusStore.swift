import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Batch statuses and their history in the Compliance DB.
struct BatchStatusStore: Sendable {
    let database: any SQLDatabase

    /// Moves a batch to `status` and appends the step to its history, with the event, in one
    /// write. A batch the service has not heard of yet starts from `in_testing`.
    /// - Throws: 409 when the batch may not move from its current status to `status`.
    func change(
        _ batchID: EntityID, to status: BatchStatus, reason: String, actor: EntityID, tenant: TenantID, trace: TraceContext?,
        also: (@Sendable (any SQLExecutor, BatchQuality) throws -> Void)? = nil
    ) async throws -> BatchQuality {
        try await database.write { tx in
            let batch = try Self.change(batchID, to: status, reason: reason, actor: actor, tenant: tenant, trace: trace, in: tx)
            try also?(tx, batch)
            return batch
        }
    }

    /// The change inside a write that does more (a check that also sets the status).
    static func change(
        _ batchID: EntityID, to status: BatchStatus, reason: String, actor: EntityID, tenant: TenantID, trace: TraceContext?,
        in tx: any SQLExecutor
    ) throws -> BatchQuality {
        let now = Date.nowInWholeSeconds
        var batch = try find(batchID, tenant: tenant, in: tx) ?? BatchQuality(batchId: batchID, status: .inTesting, changedAt: now, version: 0)
        let from = batch.version == 0 ? nil : batch.status
        guard batch.status.successors.contains(status) else {
            throw Problem.conflict(
                "batch_status_transition", "Batch \(batchID) is \(batch.status.rawValue) and cannot become \(status.rawValue).")
        }
        batch.status = status
        batch.reason = reason
        batch.changedBy = actor
        batch.changedAt = now
        batch.version += 1
        try save(batch, tenant: tenant, in: tx)
        let step = BatchStatusChange(id: .generate(), from: from, to: status, reason: reason, changedBy: actor, changedAt: now)
        try tx.execute(
            "INSERT INTO batch_status_changes (tenant_id, id, batch_id, document) VALUES (?, ?, ?, ?)",
            [.text(tenant.description), .text(step.id.description), .text(batchID.description), try Documents.encode(step)])
        try Outbox.append([ComplianceEvents.statusChanged(batch, from: from, tenant: tenant, trace: trace)], in: tx)
        return batch
    }

    /// Records what the transactions service tells about a batch (article and number), keeping
    /// any status it has.
    static func register(_ batchID: EntityID, article: EntityID, number: String, tenant: TenantID, in tx: any SQLExecutor) throws {
        var batch = try find(batchID, tenant: tenant, in: tx)
            ?? BatchQuality(batchId: batchID, status: .inTesting, changedAt: Date.nowInWholeSeconds, version: 0)
        batch.articleId = article
        batch.batchNumber = number
        try save(batch, tenant: tenant, in: tx)
    }

    func find(_ batchID: EntityID, tenant: TenantID) async throws -> BatchQualityDetail? {
        try await database.read { reader in
            guard let batch = try Self.find(batchID, tenant: tenant, in: reader) else { return nil }
            let history = try reader.query(
                "SELECT document FROM batch_status_changes WHERE tenant_id = ? AND batch_id = ? ORDER BY id",
                [.text(tenant.description), .text(batchID.description)]
            ).map { try Documents.decode(BatchStatusChange.self, from: $0) }
            return BatchQualityDetail(batch: batch, history: history)
        }
    }

    func page(tenant: TenantID, status: BatchStatus?, page: PageRequest) async throws -> Page<BatchQuality> {
        try await database.read { reader in
            let rows = try reader.query(
                """
                SELECT batch_id, document FROM compliance_batches
                WHERE tenant_id = ? AND batch_id > ? AND (CAST(? AS TEXT) IS NULL OR status = ?) ORDER BY batch_id LIMIT ?
                """,
                [.text(tenant.description), .text(page.cursor ?? ""), status.map { .text($0.rawValue) } ?? .null,
                 status.map { .text($0.rawValue) } ?? .null, .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit, cursorColumn: "batch_id") { try Documents.decode(BatchQuality.self, from: $0) }
        }
    }

    /// Every batch of a tenant with its status and version, for the gate's cache.
    static func statuses(tenant: TenantID, in reader: any SQLExecutor) throws -> [(EntityID, BatchStatus, Int)] {
        var statuses: [(EntityID, BatchStatus, Int)] = []
        try reader.forEachRow(
            "SELECT batch_id, status, version FROM compliance_batches WHERE tenant_id = ?", [.text(tenant.description)]
        ) { row in
            guard let id = row["batch_id"].string.flatMap(EntityID.init), let status = row["status"].string.flatMap(BatchStatus.init)
            else { throw UnreadableRowError(column: "compliance_batches.status") }
            statuses.append((id, status, try row.requireInt("version")))
        }
        return statuses
    }

    static func find(_ batchID: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws -> BatchQuality? {
        try tx.query(
            "SELECT document FROM compliance_batches WHERE tenant_id = ? AND batch_id = ?", [.text(tenant.description), .text(batchID.description)]
        ).first.map { try Documents.decode(BatchQuality.self, from: $0) }
    }

    private static func save(_ batch: BatchQuality, tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO compliance_batches (tenant_id, batch_id, status, version, document) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, batch_id) DO UPDATE SET status = excluded.status, version = excluded.version, document = excluded.document
            """,
            [.text(tenant.description), .text(batch.batchId.description), .text(batch.status.rawValue), .integer(batch.version),
             try Documents.encode(batch)])
    }
}
