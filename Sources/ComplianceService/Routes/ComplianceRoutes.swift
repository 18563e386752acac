import ERPKernel
import Foundation
import Hummingbird
import ServiceRuntime

extension ComplianceServiceModule {
    func addBatchRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/compliance/batches") { request, context in
            let identity = try context.require(.complianceRead)
            let status = try request.choice("status", BatchStatus.self)
            return try Response.json(
                try await batches.page(tenant: identity.tenantID, status: status, page: try request.page()), etagFor: request)
        }
        router.get("/api/v1/compliance/batches/{id}") { request, context in
            let identity = try context.require(.complianceRead)
            let id = try context.id()
            guard let detail = try await batches.find(id, tenant: identity.tenantID) else {
                throw Problem.notFound("Quality control has no record of batch \(id).")
            }
            return try Response.json(detail, etagFor: request)
        }
        router.post("/api/v1/compliance/batches/{id}/status", use: changeStatus)
        // The gate for a transactions service in another process (`RemoteBatchClearance`).
        router.post(RouterPath(RemoteBatchClearance.path)) { request, context in
            var request = request
            let question = try await request.decodeJSON(RemoteBatchClearance.Question.self, context: context)
            guard question.movements.count <= 1_000 else {
                throw Problem.validation("At most 1,000 movements at a time.", invalidParams: [InvalidParam(name: "movements", reason: "at most 1000")])
            }
            let refusals = try await gate.refusals(for: question.movements, tenant: question.tenantId)
            return try Response.json(RemoteBatchClearance.Answer(refusals: refusals))
        }
    }

    func addPSMRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/compliance/psm-approvals") { request, context in
            let identity = try context.require(.complianceRead)
            return try Response.json(try await register.page(tenant: identity.tenantID, page: try request.page()), etagFor: request)
        }
        router.get("/api/v1/compliance/psm-approvals/{number}") { request, context in
            let identity = try context.require(.complianceRead)
            let number = try context.parameters.require("number")
            guard ComplianceCheck.isApprovalNumber(number), let approval = try await register.find(number, tenant: identity.tenantID) else {
                throw Problem.notFound("The register has no approval \(number).")
            }
            return try Response.json(approval, etagFor: request)
        }
        router.put("/api/v1/compliance/psm-approvals/{number}") { request, context in
            let identity = try context.require(.complianceWrite)
            var request = request
            let number = try context.parameters.require("number")
            let input = try await request.decodeJSON(Strict<PSMApprovalRequest>.self, context: context).value
            try Check.fail(ComplianceCheck.findings(input, number: number))
            let (approval, created) = try await register.put(number, input, actor: identity.subject, tenant: identity.tenantID, trace: context.trace)
            // Only the articles this request links: the others may have been linked elsewhere since.
            gate.clearance(identity.tenantID).apply(
                approval: number, expiresOn: approval.expiresOn, version: approval.version, articles: input.articleIds ?? [])
            return try Response.json(approval, status: created ? .created : .ok)
        }
    }

    /// Moves a batch to another status. The gate refuses the batch from before the write when
    /// the new status refuses, and knows the new status before this answers.
    func changeStatus(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.complianceWrite)
        let id = try context.id()
        var request = request
        let (input, body) = try await request.strictBody(StatusChangeRequest.self, context: context)
        try Check.fail(ComplianceCheck.findings(input))
        let clearance = gate.clearance(identity.tenantID)
        return try await idempotency.run(request, body: body, tenant: identity.tenantID) { key in
            clearance.beginChange(id, to: input.status)
            defer { clearance.endChange(id, to: input.status) }
            let changed = try await batches.change(
                id, to: input.status, reason: input.reason, actor: identity.subject, tenant: identity.tenantID, trace: context.trace
            ) { tx, batch in
                if let key { try IdempotencyKeys.record(key, try StoredResponse(status: .ok, batch), in: tx) }
            }
            clearance.apply(id, status: changed.status, version: changed.version)
            return try StoredResponse(status: .ok, changed)
        }
    }
}
