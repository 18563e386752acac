import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// The tenant's rule sets, one version history per check type; version 1 is the default set,
/// written the first time the tenant needs it.
struct RuleSetStore: Sendable {
    let database: any SQLDatabase

    /// The current version of every check type.
    func current(tenant: TenantID) async throws -> [RuleSet] {
        try await database.write { tx in try CheckType.allCases.map { try Self.current($0, tenant: tenant, in: tx) } }
    }

    /// One version, or the current one when `version` is `nil`.
    func find(_ type: CheckType, version: Int?, tenant: TenantID) async throws -> RuleSet? {
        guard let version else { return try await database.write { try Self.current(type, tenant: tenant, in: $0) } }
        return try await database.read { reader in
            try reader.query(
                "SELECT document FROM rule_sets WHERE tenant_id = ? AND check_type = ? AND version = ?",
                [.text(tenant.description), .text(type.rawValue), .integer(version)]
            ).first.map { try Documents.decode(RuleSet.self, from: $0) }
        }
    }

    /// Stores the rules as the next version; earlier versions and the results judged by them stay.
    func put(_ type: CheckType, _ request: RuleSetRequest, actor: EntityID, tenant: TenantID, trace: TraceContext?) async throws -> RuleSet {
        try await database.write { tx in
            let previous = try Self.current(type, tenant: tenant, in: tx)
            let ruleSet = RuleSet(
                checkType: type, version: previous.version + 1, name: request.name, rules: request.rules.map(\.value), createdBy: actor,
                createdAt: Date.nowInWholeSeconds)
            try Self.insert(ruleSet, tenant: tenant, in: tx)
            try Outbox.append([ComplianceEvents.ruleSetChanged(ruleSet, tenant: tenant, trace: trace)], in: tx)
            return ruleSet
        }
    }

    /// The highest version, the default written as version 1 when there is none.
    static func current(_ type: CheckType, tenant: TenantID, in tx: any SQLExecutor) throws -> RuleSet {
        if let row = try tx.query(
            "SELECT document FROM rule_sets WHERE tenant_id = ? AND check_type = ? ORDER BY version DESC LIMIT 1",
            [.text(tenant.description), .text(type.rawValue)]
        ).first {
            return try Documents.decode(RuleSet.self, from: row)
        }
        let defaults = DefaultRuleSets.ruleSet(type, at: Date.nowInWholeSeconds)
        try insert(defaults, tenant: tenant, in: tx)
        return defaults
    }

    private static func insert(_ ruleSet: RuleSet, tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            "INSERT INTO rule_sets (tenant_id, check_type, version, document) VALUES (?, ?, ?, ?)",
            [.text(tenant.description), .text(ruleSet.checkType.rawValue), .integer(ruleSet.version), try Documents.encode(ruleSet)])
    }
}
