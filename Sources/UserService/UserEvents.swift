import ERPKernel
import Foundation
import ServiceRuntime

/// The events the users service publishes; the audit trail and the caches consume them.
enum UserEvents {
    static func make(_ type: String, tenant: TenantID, subject: EntityID, trace: TraceContext?, fields: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(
            type: type, source: ServiceName.users.rawValue, tenantID: tenant, subject: subject.description,
            traceID: trace?.traceID, payload: JSONValue.object(fields).jsonData)
    }

    static func userCreated(_ user: User, by actor: EntityID?, trace: TraceContext?) -> EventEnvelope {
        make(
            "users.user.created.v1", tenant: user.tenantId, subject: user.id, trace: trace,
            fields: ["actor": actor.map { .string($0.description) } ?? .null, "email": .string(user.email),
                     "name": .string(user.name), "roles": .array(user.roles.map(JSONValue.string)), "status": .string(user.status.rawValue)])
    }

    static func userChanged(before: User, after: User, by actor: EntityID, trace: TraceContext?) -> EventEnvelope {
        var changes: [String: JSONValue] = [:]
        if before.name != after.name { changes["name"] = ["from": .string(before.name), "to": .string(after.name)] }
        if before.locale != after.locale { changes["locale"] = ["from": .string(before.locale), "to": .string(after.locale)] }
        if before.status != after.status { changes["status"] = ["from": .string(before.status.rawValue), "to": .string(after.status.rawValue)] }
        if before.roles != after.roles {
            changes["roles"] = ["from": .array(before.roles.map(JSONValue.string)), "to": .array(after.roles.map(JSONValue.string))]
        }
        return make(
            "users.user.changed.v1", tenant: after.tenantId, subject: after.id, trace: trace,
            fields: ["actor": .string(actor.description), "changes": .object(changes)])
    }
}
