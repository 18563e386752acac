import ERPKernel
import Foundation
import Hummingbird
import ServiceRuntime

struct NewAPIKeyRequest: Decodable {
    var name: String
    var scopes: [String]
}

/// The one answer that carries the secret.
struct CreatedAPIKey: Encodable {
    var key: String
    var apiKey: APIKey
}

extension AuthServiceModule {
    static var apiKeyPrefix: String { CredentialRouter.apiKeyPrefix }

    func addAPIKeyRoutes(to router: Router<ServiceContext>) {
        router.post("/api/v1/auth/api-keys") { request, context in
            let identity = try context.require(.apiKeysWrite)
            guard identity.kind == .user else { throw Problem.forbidden(missing: .apiKeysWrite) }
            var request = request
            let body = try await request.decodeJSON(NewAPIKeyRequest.self, context: context)
            try Self.validate(body, grantable: identity.permissions)
            let secret = Self.newSecret(prefix: Self.apiKeyPrefix)
            let key = APIKey(
                id: .generate(), tenantId: identity.tenantID, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                prefix: String(secret.prefix(10)), scopes: Array(Set(body.scopes)).sorted(), createdBy: identity.subject,
                createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
            try await apiKeys.create(key, keyHash: Self.hash(secret), events: [AuthEvents.apiKeyCreated(key, trace: context.trace)])
            return try Response.json(CreatedAPIKey(key: secret, apiKey: key), status: .created, headers: [.cacheControl: "no-store"])
        }
        router.get("/api/v1/auth/api-keys") { request, context in
            let identity = try context.require(.apiKeysWrite)
            let page = try PageRequest.parse(limit: request.uri.queryParameters.get("limit"), cursor: request.uri.queryParameters.get("cursor"))
            return try Response.json(try await apiKeys.list(tenant: identity.tenantID, page: page))
        }
        router.delete("/api/v1/auth/api-keys/{id}") { _, context in
            let identity = try context.require(.apiKeysWrite)
            guard let id = EntityID(try context.parameters.require("id")) else { throw Problem.notFound("There is no such API key.") }
            let revoked = try await apiKeys.revoke(
                tenant: identity.tenantID, id: id,
                events: [AuthEvents.apiKeyRevoked(id: id, tenant: identity.tenantID, by: identity.subject, trace: context.trace)])
            guard revoked else { throw Problem.notFound("There is no such API key in this tenant, or it is revoked already.") }
            return Response(status: .noContent)
        }
        // Other services ask here who an API key stands for.
        router.post(RouterPath(ServiceName.auth.internalPathPrefix + "/api-keys/introspect")) { request, context in
            var request = request
            let presented = try await request.decodeJSON([String: String].self, context: context)["key"] ?? ""
            guard presented.hasPrefix(Self.apiKeyPrefix), presented.utf8.count <= 256,
                let key = try await apiKeys.activeKey(hash: Self.hash(presented))
            else { throw Problem.unauthenticated("The API key is unknown or revoked.") }
            return try Response.json(key)
        }
    }

    static func validate(_ body: NewAPIKeyRequest, grantable: Set<Permission>) throws {
        var findings: [InvalidParam] = []
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...100).contains(name.unicodeScalars.count) { findings.append(InvalidParam(name: "name", reason: "1 to 100 characters")) }
        if body.scopes.isEmpty { findings.append(InvalidParam(name: "scopes", reason: "at least one permission")) }
        let unknown = body.scopes.filter { !Permission.all.contains(Permission(rawValue: $0)) }
        if !unknown.isEmpty { findings.append(InvalidParam(name: "scopes", reason: "unknown: \(unknown.joined(separator: ", "))")) }
        // A key can do at most what its creator can: no way to mint more rights than one has.
        let beyond = body.scopes.filter { Permission.all.contains(Permission(rawValue: $0)) && !grantable.contains(Permission(rawValue: $0)) }
        if !beyond.isEmpty { findings.append(InvalidParam(name: "scopes", reason: "beyond your own permissions: \(beyond.joined(separator: ", "))")) }
        guard findings.isEmpty else { throw Problem.validation("The API key request is not valid.", invalidParams: findings) }
    }
}
