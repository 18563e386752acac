import ERPKernel
import Foundation

extension ComplianceServiceModule {
    /// `serve --demo`: the demo's batches pass their incoming inspection and the PSM approvals
    /// enter the register, so the demo business may move them.
    public func seedDemoQuality(tenant: TenantID, actor: EntityID, goods: [(article: EntityID, batch: EntityID, approval: String?)]) async throws {
        let clearance = gate.clearance(tenant)
        for item in goods {
            let batch = try await batches.change(
                item.batch, to: .released, reason: "Wareneingangsprüfung bestanden (Demo)", actor: actor, tenant: tenant, trace: nil)
            clearance.apply(item.batch, status: batch.status, version: batch.version)
            if let number = item.approval {
                let request = PSMApprovalRequest(holder: "BASF SE", expiresOn: "2028-12-31", restrictions: ["NT102: 5 m Abstand zu Gewässern"], articleIds: [item.article])
                let (approval, _) = try await register.put(number, request, actor: actor, tenant: tenant, trace: nil)
                clearance.apply(approval: number, expiresOn: approval.expiresOn, version: approval.version, articles: approval.articleIds)
            }
        }
    }
}

extension ComplianceServiceModule {
    /// `serve --demo`, after the demo business: one batch released with conditions, one failed
    /// its QS check and is blocked (its moisture is monitored, with an open alert), and the PSM's
    /// approval has ended, so a new user sees the gate refuse a sale.
    /// `goods` in the demo catalogue's order: seed, fertiliser, feed, crop protection.
    public func seedDemoFindings(tenant: TenantID, actor: EntityID, goods: [(article: EntityID, batch: EntityID, approval: String?)]) async throws {
        guard goods.count == 4, let approval = goods[3].approval else { return }
        let clearance = gate.clearance(tenant)
        let conditional = try await batches.change(
            goods[1].batch, to: .conditional, reason: "Nur für Grünland freigegeben (Demo)", actor: actor, tenant: tenant, trace: nil)
        clearance.apply(goods[1].batch, status: conditional.status, version: conditional.version)

        let feed = goods[2].batch
        let monitor = try await monitoring.start(
            target: MonitorTarget(kind: .batch, id: feed), thresholds: nil, checkType: .qs, actor: actor, tenant: tenant, trace: nil)
        let now = Date.nowInWholeSeconds
        let readings = [("moisture", "11.8", 7200.0), ("moisture", "13.4", 3600.0), ("storage_temperature", "19.5", 3600.0)].map {
            MonitoringStore.Measurement(property: $0.0, text: $0.1, value: ComplianceCheck.decimal($0.1)!, measuredAt: now.addingTimeInterval(-$0.2))
        }
        _ = try await monitoring.record(readings, monitor: monitor.id, tenant: tenant, trace: nil)
        let check = BatchCheckRequest(
            checkType: .qs, responsiblePerson: "Quirin Qualität", measurements: ["moisture": "13.4", "contamination": "0.05", "storage_temperature": "19.5"],
            documents: ["hygiene_log": ["cleaningDate": "2026-11-02", "responsiblePerson": "Lars Lager", "measures": "Silo gereinigt"]],
            applyStatus: true)
        let (_, blocked) = try await checks.check(feed, check, actor: actor, tenant: tenant, trace: nil)
        if let blocked { clearance.apply(feed, status: blocked.status, version: blocked.version) }

        let ended = PSMApprovalRequest(
            holder: "BASF SE", expiresOn: (CivilDate(Date()) + -1).description, restrictions: ["Aufbrauchfrist abgelaufen (Demo)"], articleIds: [goods[3].article])
        let (register, _) = try await self.register.put(approval, ended, actor: actor, tenant: tenant, trace: nil)
        clearance.apply(approval: approval, expiresOn: register.expiresOn, version: register.version, articles: register.articleIds)
    }
}
