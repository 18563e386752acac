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
