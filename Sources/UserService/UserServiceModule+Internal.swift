import ERPKernel
import NIOCore
import Hummingbird
import ServiceRuntime

extension UserServiceModule {
    /// What the auth service asks when it issues a token: who the user is, whether they may log
    /// in, and what they may do.
    func addInternalRoutes(to router: Router<ServiceContext>) {
        let prefix = ServiceName.users.internalPathPrefix
        router.get(RouterPath(prefix + "/access")) { request, _ in
            guard let email = request.uri.queryParameters.get("email") else {
                throw Problem.validation("email is required.", invalidParams: [InvalidParam(name: "email", reason: "missing")])
            }
            guard let user = try await store.user(email: email) else { throw Problem.notFound("No user has this e-mail.") }
            return try Response.json(Self.access(of: user))
        }
        router.get(RouterPath(prefix + "/access/{id}")) { _, context in
            guard let id = EntityID(try context.parameters.require("id")),
                let body = try await cached(Self.accessKey(id), make: {
                    try await store.user(id: id).map { try JSONCoding.encoder.encode(Self.access(of: $0)) }
                })
            else { throw Problem.notFound("There is no such user.") }
            return Response.json(encoded: ByteBuffer(bytes: body))
        }
    }

    static func access(of user: User) -> UserAccess {
        UserAccess(
            userId: user.id, tenantId: user.tenantId, email: user.email, status: user.status, roles: user.roles,
            permissions: Role.permissions(of: user.roles).map(\.rawValue).sorted())
    }
}
