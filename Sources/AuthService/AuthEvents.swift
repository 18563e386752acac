import ERPKernel
import Foundation
import ServiceRuntime

/// The security events of the auth service; the audit trail records them.
enum AuthEvents {
    static func make(_ type: String, tenant: TenantID?, subject: String?, trace: TraceContext, fields: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(
            type: type, source: ServiceName.auth.rawValue, tenantID: tenant, subject: subject, traceID: trace.traceID,
            payload: JSONValue.object(fields).jsonData)
    }

    static func loginSucceeded(_ access: AccessRecord, trace: TraceContext) -> EventEnvelope {
        make("auth.login.succeeded.v1", tenant: access.tenantId, subject: access.userId.description, trace: trace, fields: [:])
    }

    /// The e-mail is kept only as its hash: failed logins are often typos of someone else's address.
    static func loginFailed(email: String, tenant: TenantID?, reason: String, trace: TraceContext) -> EventEnvelope {
        make(
            "auth.login.failed.v1", tenant: tenant, subject: nil, trace: trace,
            fields: ["reason": .string(reason), "emailHash": .string(AuthServiceModule.hash(email.lowercased()))])
    }

    static func refreshTokenReused(user: EntityID, tenant: TenantID, trace: TraceContext) -> EventEnvelope {
        make("auth.refresh_token.reused.v1", tenant: tenant, subject: user.description, trace: trace, fields: ["severity": "high"])
    }

    static func apiKeyCreated(_ key: APIKey, trace: TraceContext) -> EventEnvelope {
        make(
            "auth.api_key.created.v1", tenant: key.tenantId, subject: key.id.description, trace: trace,
            fields: ["actor": .string(key.createdBy.description), "name": .string(key.name), "scopes": .array(key.scopes.map(JSONValue.string))])
    }

    static func apiKeyRevoked(id: EntityID, tenant: TenantID, by actor: EntityID, trace: TraceContext) -> EventEnvelope {
        make("auth.api_key.revoked.v1", tenant: tenant, subject: id.description, trace: trace, fields: ["actor": .string(actor.description)])
    }

    static func loggedOut(user: EntityID, tenant: TenantID, trace: TraceContext) -> EventEnvelope {
        make("auth.logout.v1", tenant: tenant, subject: user.description, trace: trace, fields: [:])
    }
}
