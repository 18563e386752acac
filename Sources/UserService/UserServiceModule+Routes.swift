import ERPKernel
import Foundation
import Hummingbird
import NIOCore
import ServiceRuntime

extension UserServiceModule {
    func addUserRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/users") { request, context in
            let identity = try context.require(.usersRead)
            let page = try PageRequest.parse(
                limit: request.uri.queryParameters.get("limit"), cursor: request.uri.queryParameters.get("cursor"))
            return try Response.json(try await store.users(tenant: identity.tenantID, page: page))
        }
        router.post("/api/v1/users") { request, context in
            let identity = try context.require(.usersWrite)
            var request = request
            let body = try await request.decodeJSON(NewUserRequest.self, context: context)
            let locale = body.locale ?? "de-DE"
            try UserValidation.check(
                UserValidation.email(body.email) + UserValidation.name(body.name) + UserValidation.locale(locale)
                    + UserValidation.roles(body.roles) + PasswordPolicy.findings(password: body.password, email: body.email))
            let user = try await addUser(
                tenant: identity.tenantID, email: body.email, name: body.name, locale: locale, roles: body.roles,
                password: body.password, by: identity.subject, trace: context.trace)
            return try Response.json(user, status: .created, headers: [.location: "/api/v1/users/\(user.id)"])
        }
        router.get("/api/v1/users/me") { _, context in
            let identity = try context.requireIdentity()
            guard identity.kind == .user else { throw Problem.notFound("An API key has no profile; see /api/v1/auth/me.") }
            let body = try await cached(Self.profileKey(identity.tenantID, identity.subject)) {
                try JSONCoding.encoder.encode(try await existingUser(identity.tenantID, identity.subject))
            }
            return Response.json(encoded: ByteBuffer(bytes: body!))
        }
        router.patch("/api/v1/users/me") { request, context in
            let identity = try context.requireIdentity()
            var request = request
            let profile = try await request.decodeJSON(ProfileChangeRequest.self, context: context)
            let change = UserChangeRequest(name: profile.name, locale: profile.locale, status: nil)
            return try Response.json(try await apply(change, to: identity.subject, by: identity, trace: context.trace))
        }
        router.get("/api/v1/users/{id}") { _, context in
            let identity = try context.require(.usersRead)
            return try Response.json(try await existingUser(identity.tenantID, try userID(context)))
        }
        router.patch("/api/v1/users/{id}") { request, context in
            let identity = try context.require(.usersWrite)
            var request = request
            let change = try await request.decodeJSON(UserChangeRequest.self, context: context)
            return try Response.json(try await apply(change, to: try userID(context), by: identity, trace: context.trace))
        }
        router.put("/api/v1/users/{id}/roles") { request, context in
            let identity = try context.require(.usersWrite)
            var request = request
            let requested = try await request.decodeJSON(RolesRequest.self, context: context).roles
            try UserValidation.check(UserValidation.roles(requested))
            let roles = requested.sorted()
            let target = try userID(context)
            if target == identity.subject, !roles.contains(Role.admin.name), identity.roles.contains(Role.admin.name) {
                throw Problem.conflict("last_admin_guard", "You cannot remove the admin role from yourself.")
            }
            let updated = try await store.update(tenant: identity.tenantID, id: target) { user in
                let before = user
                user.roles = roles
                return before.roles == roles ? [] : [UserEvents.userChanged(before: before, after: user, by: identity.subject, trace: context.trace)]
            }
            guard let updated else { throw Problem.notFound("There is no user \(target) in this tenant.") }
            await forget(target, tenant: identity.tenantID)
            return try Response.json(updated)
        }
        router.get("/api/v1/roles") { _, context in
            _ = try context.requireIdentity()
            return try Response.json(Page(data: Role.all, nextCursor: nil))
        }
        router.get("/api/v1/tenants/current") { _, context in
            let identity = try context.require(.tenantRead)
            guard let tenant = try await store.tenant(identity.tenantID) else { throw Problem.notFound("The tenant does not exist.") }
            return try Response.json(tenant)
        }
    }

    private func userID(_ context: ServiceContext) throws -> EntityID {
        let text = try context.parameters.require("id")
        guard let id = EntityID(text) else {
            throw Problem.validation("id must be a UUID.", invalidParams: [InvalidParam(name: "id", reason: "not a UUID")])
        }
        return id
    }

    /// A user of the caller's tenant; another tenant's user is as absent as a missing one (404).
    private func existingUser(_ tenant: TenantID, _ id: EntityID) async throws -> User {
        guard let user = try await store.user(tenant: tenant, id: id) else { throw Problem.notFound("There is no user \(id) in this tenant.") }
        return user
    }

    private func apply(_ change: UserChangeRequest, to id: EntityID, by identity: Identity, trace: TraceContext) async throws -> User {
        try UserValidation.check(
            (change.name.map(UserValidation.name) ?? []) + (change.locale.map(UserValidation.locale) ?? []))
        if id == identity.subject, let status = change.status, status != .active {
            throw Problem.conflict("self_lockout_guard", "You cannot lock or disable yourself.")
        }
        let updated = try await store.update(tenant: identity.tenantID, id: id) { user in
            let before = user
            if let name = change.name { user.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let locale = change.locale { user.locale = locale }
            if let status = change.status { user.status = status }
            return before == user ? [] : [UserEvents.userChanged(before: before, after: user, by: identity.subject, trace: trace)]
        }
        guard let updated else { throw Problem.notFound("There is no user \(id) in this tenant.") }
        await forget(id, tenant: identity.tenantID)
        return updated
    }
}
