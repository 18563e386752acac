import ERPKernel
import Foundation
import Hummingbird
import ServiceRuntime

extension ComplianceServiceModule {
    func addCheckRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/compliance/rule-sets") { request, context in
            let identity = try context.require(.complianceRead)
            return try Response.json(Page(data: try await ruleSets.current(tenant: identity.tenantID), nextCursor: nil), etagFor: request)
        }
        router.get("/api/v1/compliance/rule-sets/{checkType}") { request, context in
            let identity = try context.require(.complianceRead)
            let type = try Self.checkType(context)
            let version = try request.uri.queryParameters.get("version").map { text -> Int in
                guard let version = Int(text), version >= 1 else {
                    throw Problem.validation("version must be a positive whole number.", invalidParams: [InvalidParam(name: "version", reason: "1 or more")])
                }
                return version
            }
            guard let ruleSet = try await ruleSets.find(type, version: version, tenant: identity.tenantID) else {
                throw Problem.notFound("There is no version \(version ?? 0) of the \(type.rawValue) rule set.")
            }
            return try Response.json(ruleSet, etagFor: request)
        }
        router.put("/api/v1/compliance/rule-sets/{checkType}") { request, context in
            let identity = try context.require(.complianceWrite)
            let type = try Self.checkType(context)
            var request = request
            let input = try await request.decodeJSON(Strict<RuleSetRequest>.self, context: context).value
            try Check.fail(ComplianceCheck.findings(input))
            try Check.refuse(ComplianceCheck.conflicts(input))
            let ruleSet = try await ruleSets.put(type, input, actor: identity.subject, tenant: identity.tenantID, trace: context.trace)
            return try Response.json(ruleSet, status: .created)
        }
        router.post("/api/v1/compliance/batches/{id}/checks", use: checkBatch)
        router.get("/api/v1/compliance/batches/{id}/checks") { request, context in
            let identity = try context.require(.complianceRead)
            return try Response.json(try await checks.checks(of: try context.id(), tenant: identity.tenantID, page: try request.page()), etagFor: request)
        }
        router.get("/api/v1/compliance/checks/{id}") { request, context in
            let identity = try context.require(.complianceRead)
            let id = try context.id()
            guard let check = try await checks.find(id, tenant: identity.tenantID) else { throw Problem.notFound("There is no check \(id).") }
            return try Response.json(check, etagFor: request)
        }
    }

    /// Judges a batch against the current rule set of the check type; with `applyStatus` the
    /// gate follows the batch's new status as for a status change.
    func checkBatch(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.complianceWrite)
        let id = try context.id()
        var request = request
        let (input, body) = try await request.strictBody(BatchCheckRequest.self, context: context)
        try Check.fail(ComplianceCheck.findings(input))
        let clearance = gate.clearance(identity.tenantID)
        return try await idempotency.run(request, body: body, tenant: identity.tenantID) { key in
            // The outcome is not known before the write: any status it may set is held back until then.
            let possible: BatchStatus? = input.applyStatus == true ? .blocked : nil
            if let possible { clearance.beginChange(id, to: possible) }
            defer { if let possible { clearance.endChange(id, to: possible) } }
            let (check, batch) = try await checks.check(id, input, actor: identity.subject, tenant: identity.tenantID, trace: context.trace) { tx, check in
                if let key { try IdempotencyKeys.record(key, try StoredResponse(status: .created, check), in: tx) }
            }
            if let batch { clearance.apply(id, status: batch.status, version: batch.version) }
            return try StoredResponse(status: .created, check)
        }
    }

    static func checkType(_ context: ServiceContext) throws -> CheckType {
        let text = try context.parameters.require("checkType")
        guard let type = CheckType(rawValue: text) else {
            throw Problem.notFound("There is no check type \(text); known: \(CheckType.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return type
    }
}
