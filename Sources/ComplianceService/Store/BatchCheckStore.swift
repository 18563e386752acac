import Crypto
import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Judges batches against the current rule set and keeps the signed, immutable results.
struct BatchCheckStore: Sendable {
    let database: any SQLDatabase

    /// Evaluates and stores a check in one write; with `applyStatus` the batch moves as well.
    /// - Throws: 422 naming values the rule set has no rule for; 409 when the status may not move.
    func check(
        _ batchID: EntityID, _ request: BatchCheckRequest, actor: EntityID, tenant: TenantID, trace: TraceContext?,
        also: (@Sendable (any SQLExecutor, BatchCheck) throws -> Void)? = nil
    ) async throws -> (BatchCheck, BatchQuality?) {
        try await database.write { tx in
            let ruleSet = try RuleSetStore.current(request.checkType, tenant: tenant, in: tx)
            try Check.refuse(ComplianceCheck.unknownKeys(request, in: ruleSet))
            let (outcome, results) = CheckEvaluator.evaluate(
                measurements: request.measurements ?? [:], documents: request.documents ?? [:], rules: ruleSet.rules)
            var check = BatchCheck(
                id: .generate(), batchId: batchID, checkType: request.checkType, ruleSetVersion: ruleSet.version, outcome: outcome,
                results: results, responsiblePerson: request.responsiblePerson, checkedBy: actor, checkedAt: Date.nowInWholeSeconds,
                contentHash: "")
            check.contentHash = try Self.contentHash(of: check)
            try tx.execute(
                "INSERT INTO batch_checks (tenant_id, id, batch_id, document) VALUES (?, ?, ?, ?)",
                [.text(tenant.description), .text(check.id.description), .text(batchID.description), try Documents.encode(check)])
            try Outbox.append([ComplianceEvents.batchChecked(check, tenant: tenant, trace: trace)], in: tx)
            var batch: BatchQuality?
            if request.applyStatus == true {
                let target = Self.status(after: outcome)
                // A batch already where the outcome leads stays as it is (a re-check that confirms it).
                if let current = try BatchStatusStore.find(batchID, tenant: tenant, in: tx), current.version > 0, current.status == target {
                    batch = current
                } else {
                    batch = try BatchStatusStore.change(
                        batchID, to: target, reason: "\(request.checkType.rawValue) check \(check.id): \(outcome.rawValue)",
                        actor: actor, tenant: tenant, trace: trace, in: tx)
                }
            }
            try also?(tx, check)
            return (check, batch)
        }
    }

    /// A batch's results, oldest first.
    func checks(of batchID: EntityID, tenant: TenantID, page: PageRequest) async throws -> Page<BatchCheck> {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT id, document FROM batch_checks WHERE tenant_id = ? AND batch_id = ? AND id > ? ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(batchID.description), .text(page.cursor ?? ""), .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit) { try Documents.decode(BatchCheck.self, from: $0) }
        }
    }

    func find(_ id: EntityID, tenant: TenantID) async throws -> BatchCheck? {
        try await database.read { reader in
            try reader.query("SELECT document FROM batch_checks WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
                .first.map { try Documents.decode(BatchCheck.self, from: $0) }
        }
    }

    /// The status a check's outcome leads to when the check is to set it.
    static func status(after outcome: CheckOutcome) -> BatchStatus {
        switch outcome {
        case .compliant: .released
        case .partiallyCompliant: .conditional
        case .nonCompliant: .blocked
        }
    }

    /// SHA-256 (hex) of the result's JSON with an empty `contentHash`: anyone can recompute it.
    static func contentHash(of check: BatchCheck) throws -> String {
        var unsigned = check
        unsigned.contentHash = ""
        return SHA256.hash(data: try JSONCoding.encoder.encode(unsigned)).hexString
    }
}
