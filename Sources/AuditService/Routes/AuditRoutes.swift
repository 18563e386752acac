import ERPKernel
import Foundation
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

extension AuditServiceModule {
    func addAuditRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/audit/events") { request, context in
            let identity = try context.require(.auditRead)
            return Response.json(
                encoded: try await ledger.events(tenant: identity.tenantID, filter: try Self.filter(of: request), page: try request.page()),
                etagFor: request)
        }
        router.get("/api/v1/audit/verify") { request, context in
            let identity = try context.require(.auditRead)
            return try Response.json(try await ledger.verify(tenant: identity.tenantID))
        }
        router.get("/api/v1/audit/export", use: export)
        router.post("/api/v1/audit/actors/{id}/pseudonymise") { request, context in
            let identity = try context.require(.usersWrite)
            let actor = try context.id().description
            guard try await ledger.pseudonymise(actor, tenant: identity.tenantID) else {
                throw Problem.notFound("The audit trail knows no actor \(actor).")
            }
            try await ledger.append([Self.ownRecord("audit.actor.pseudonymised", resourceType: "actor", resourceId: actor, identity, context)])
            return try Response.json(PseudonymisedActor(actor: actor, pseudonymised: true))
        }
    }

    /// JSON Lines of the whole trail up to a checkpoint made for the export. The export is itself
    /// recorded first, so the trail shows who took a copy.
    @Sendable func export(_ request: Request, context: ServiceContext) async throws -> Response {
        let identity = try context.require(.auditRead)
        let tenant = identity.tenantID
        try await ledger.append([Self.ownRecord("audit.trail.exported", resourceType: "trail", resourceId: tenant.description, identity, context)])
        let ledger = self.ledger
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.contentDisposition] = "attachment; filename=\"audit-\(tenant).jsonl\""
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await ledger.export(tenant: tenant) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
            try await writer.finish(nil)
        })
    }

    /// A record of something done in the audit service itself, straight into the trail.
    static func ownRecord(_ action: String, resourceType: String, resourceId: String, _ identity: Identity, _ context: ServiceContext) -> AuditRecord {
        AuditRecord(
            seq: 0, tenant: identity.tenantID.description, eventId: EntityID.generate().description,
            occurredAt: RFC3339.string(from: Date(), fractionalSeconds: true), actor: identity.subject.description, action: action,
            resourceType: resourceType, resourceId: resourceId, changes: "{}", correlationId: context.trace.traceID,
            source: ServiceName.audit.rawValue, prevHash: "", hash: "")
    }

    static let earliestTime = RFC3339.date(from: "0000-01-01T00:00:00Z")!
    static let latestTime = RFC3339.date(from: "9999-12-31T23:59:59.999Z")!

    static func filter(of request: Request) throws -> AuditFilter {
        let query = request.uri.queryParameters
        func text(_ name: String) -> String? { query.get(name).map { String($0) } }
        func time(_ name: String) throws -> String? {
            guard let text = text(name) else { return nil }
            guard let date = RFC3339.date(from: text) else {
                throw Problem.validation("\(name) must be an RFC 3339 time.", invalidParams: [InvalidParam(name: name, reason: "not an RFC 3339 time")])
            }
            // The stored times are years 0000 to 9999: anything beyond compares as their ends.
            return RFC3339.string(from: min(max(date, Self.earliestTime), Self.latestTime), fractionalSeconds: true)
        }
        let filter = AuditFilter(
            resourceType: text("resourceType"), resourceId: text("resourceId"), actor: text("actor"), action: text("action"),
            from: try time("from"), to: try time("to"))
        // Only lengths: a filter is compared, never stored or shown, so any text is harmless.
        func length(_ value: String?, _ name: String, _ limit: Int) -> [InvalidParam] {
            guard let value, !(1...limit).contains(value.unicodeScalars.count) else { return [] }  // as JSON Schema counts
            return [InvalidParam(name: name, reason: "1 to \(limit) characters")]
        }
        try Check.fail(
            length(filter.resourceType, "resourceType", 64) + length(filter.resourceId, "resourceId", 200)
                + length(filter.actor, "actor", 100) + length(filter.action, "action", 128))
        return filter
    }
}

struct PseudonymisedActor: Encodable {
    let actor: String
    let pseudonymised: Bool
}
