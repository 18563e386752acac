import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// The tenant's register of crop-protection approvals, and which articles each covers.
struct PSMRegister: Sendable {
    let database: any SQLDatabase

    /// Creates or replaces an approval; the articles it names are linked to it.
    /// - Returns: the approval and whether it is new.
    func put(
        _ number: String, _ request: PSMApprovalRequest, actor: EntityID, tenant: TenantID, trace: TraceContext?
    ) async throws -> (PSMApproval, created: Bool) {
        try await database.write { tx in
            let existing = try Self.find(number, tenant: tenant, in: tx)
            let articles = Array(Set((existing?.articleIds ?? []) + (request.articleIds ?? []))).sorted()
            let approval = PSMApproval(
                approvalNumber: number, holder: request.holder, expiresOn: request.expiresOn, restrictions: request.restrictions ?? [],
                articleIds: articles, updatedBy: actor, updatedAt: Date.nowInWholeSeconds, version: (existing?.version ?? 0) + 1,
                expiryWarnedAt: existing?.expiresOn == request.expiresOn ? existing?.expiryWarnedAt : nil,
                expiredNotedAt: existing?.expiresOn == request.expiresOn ? existing?.expiredNotedAt : nil)
            try Self.save(approval, tenant: tenant, in: tx)
            for article in request.articleIds ?? [] { try Self.link(article, to: number, tenant: tenant, in: tx) }
            try Outbox.append([ComplianceEvents.approvalChanged(approval, tenant: tenant, trace: trace)], in: tx)
            return (approval, existing == nil)
        }
    }

    func find(_ number: String, tenant: TenantID) async throws -> PSMApproval? {
        try await database.read { try Self.find(number, tenant: tenant, in: $0) }
    }

    func page(tenant: TenantID, page: PageRequest) async throws -> Page<PSMApproval> {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT approval_number, document FROM psm_approvals WHERE tenant_id = ? AND approval_number > ? ORDER BY approval_number LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? ""), .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit, cursorColumn: "approval_number") { try Documents.decode(PSMApproval.self, from: $0) }
        }
    }

    /// Days before the last day of sale when the register warns.
    static let warningDays = 90

    /// Announces, once each, the approvals whose last day of sale is at most 90 days away
    /// (`compliance.psm_approval.expiring.v1`) and those that ended before `today`
    /// (`compliance.psm_approval.expired.v1`), across all tenants.
    /// - Returns: how many approvals were announced.
    @discardableResult
    func noteExpiries(today: CivilDate) async throws -> Int {
        let horizon = (today + Self.warningDays).description
        return try await database.write { tx in
            var due: [(TenantID, PSMApproval)] = []
            // Across all tenants on purpose: the watch serves every tenant; each row keeps its own.
            try tx.forEachRow("SELECT tenant_id, document FROM psm_approvals WHERE expires_on <= ? ORDER BY expires_on, tenant_id, approval_number", [.text(horizon)]) { row in
                guard let tenant = row["tenant_id"].string.flatMap(TenantID.init) else { return }
                due.append((tenant, try Documents.decode(PSMApproval.self, from: row)))
            }
            var announced = 0
            let now = Date.nowInWholeSeconds
            for (tenant, var approval) in due {
                guard let lastDay = CivilDate(approval.expiresOn) else { continue }
                let expired = lastDay < today
                guard expired ? approval.expiredNotedAt == nil : approval.expiryWarnedAt == nil else { continue }
                if expired { approval.expiredNotedAt = now }
                approval.expiryWarnedAt = approval.expiryWarnedAt ?? now
                try Self.save(approval, tenant: tenant, in: tx)
                try Outbox.append(
                    [ComplianceEvents.approvalExpiry(approval, expired: expired, daysLeft: lastDay.dayNumber - today.dayNumber, tenant: tenant)], in: tx)
                announced += 1
            }
            return announced
        }
    }

    /// Links an article to the approval that covers it (the latest word wins).
    static func link(_ article: EntityID, to number: String, tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO psm_articles (tenant_id, article_id, approval_number) VALUES (?, ?, ?)
            ON CONFLICT (tenant_id, article_id) DO UPDATE SET approval_number = excluded.approval_number
            """,
            [.text(tenant.description), .text(article.description), .text(number)])
    }

    /// Every approval's expiry and every article link of a tenant, for the gate's cache.
    static func snapshot(tenant: TenantID, in reader: any SQLExecutor) throws -> (expiries: [String: (String, Int)], links: [EntityID: String]) {
        var expiries: [String: (String, Int)] = [:]
        try reader.forEachRow(
            "SELECT approval_number, expires_on, version FROM psm_approvals WHERE tenant_id = ?", [.text(tenant.description)]
        ) { row in
            expiries[try row.requireString("approval_number")] = (try row.requireString("expires_on"), try row.requireInt("version"))
        }
        var links: [EntityID: String] = [:]
        try reader.forEachRow(
            "SELECT article_id, approval_number FROM psm_articles WHERE tenant_id = ?", [.text(tenant.description)]
        ) { row in
            guard let article = row["article_id"].string.flatMap(EntityID.init) else { return }
            links[article] = try row.requireString("approval_number")
        }
        return (expiries, links)
    }

    private static func find(_ number: String, tenant: TenantID, in tx: any SQLExecutor) throws -> PSMApproval? {
        try tx.query(
            "SELECT document FROM psm_approvals WHERE tenant_id = ? AND approval_number = ?", [.text(tenant.description), .text(number)]
        ).first.map { try Documents.decode(PSMApproval.self, from: $0) }
    }

    private static func save(_ approval: PSMApproval, tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO psm_approvals (tenant_id, approval_number, expires_on, version, document) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, approval_number) DO UPDATE SET
                expires_on = excluded.expires_on, version = excluded.version, document = excluded.document
            """,
            [.text(tenant.description), .text(approval.approvalNumber), .text(approval.expiresOn), .integer(approval.version),
             try Documents.encode(approval)])
    }
}
