import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

/// The users service: tenants (Mandanten), users, roles and permissions, profiles. Owns its
/// tables in the Main DB. Passwords are not kept here: the auth service holds credentials, and
/// a new user's password is handed to it through its internal API.
public struct UserServiceModule: ServiceModule {
    public static let name = ServiceName.users
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? UserMigrations.track : UserMigrations.postgresTrack
    }
    public static var openAPI: OpenAPIFragment { UserOpenAPI.fragment }
    public let environment: ServiceEnvironment
    let store: UserStore

    public init(environment: ServiceEnvironment) {
        self.environment = environment
        self.store = UserStore(database: environment.database!)
    }

    public func addRoutes(to router: Router<ServiceContext>) {
        addStandardRoutes(to: router)
        addUserRoutes(to: router)
        addInternalRoutes(to: router)
    }

    /// Creates a tenant with its first administrator and sets the administrator's password.
    /// Used by `neuroerp tenant create` and the demo seed.
    public func createTenant(name: String, adminEmail: String, adminName: String, password: String) async throws -> (tenant: TenantID, admin: EntityID) {
        let tenantName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        try UserValidation.check(
            UserValidation.email(adminEmail) + UserValidation.name(adminName)
                + PasswordPolicy.findings(password: password, email: adminEmail)
                + ((1...200).contains(tenantName.count) ? [] : [InvalidParam(name: "tenantName", reason: "1 to 200 characters")]))
        let now = Date.nowInWholeSeconds
        let tenant = Tenant(id: TenantID(.generate()), name: tenantName, createdAt: now)
        let admin = User(
            id: .generate(), tenantId: tenant.id, email: adminEmail.lowercased(), name: adminName, locale: "de-DE",
            status: .active, roles: [Role.admin.name], createdAt: now, updatedAt: now)
        let tenantEvent = UserEvents.make(
            "users.tenant.created.v1", tenant: tenant.id, subject: tenant.id.id, trace: nil, fields: ["name": .string(tenant.name)])
        try await store.createTenant(tenant, admin: admin, events: [tenantEvent, UserEvents.userCreated(admin, by: nil, trace: nil)])
        try await setCredentials(for: admin, password: password, trace: .generate())
        return (tenant.id, admin.id)
    }

    /// Creates a user in a tenant and sets their password; the input must be validated.
    public func addUser(
        tenant: TenantID, email: String, name: String, locale: String = "de-DE", roles: [String], password: String,
        by actor: EntityID?, trace: TraceContext
    ) async throws -> User {
        let now = Date.nowInWholeSeconds
        let user = User(
            id: .generate(), tenantId: tenant, email: email.lowercased(), name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            locale: locale, status: .active, roles: Array(Set(roles)).sorted(), createdAt: now, updatedAt: now)
        try await store.createUser(user, events: [UserEvents.userCreated(user, by: actor, trace: trace)])
        try await setCredentials(for: user, password: password, trace: trace)
        return user
    }

    /// Waits until the auth service answers, at most `limit`: in split mode it may still be
    /// starting when this process seeds the demo tenant, whose passwords it keeps.
    /// - Returns: whether it answered in time.
    public func awaitAuth(limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let answer = try? await environment.client(.auth).send(
                ServiceRequest(method: .get, path: ServiceName.auth.internalPathPrefix + "/info"), trace: .generate(), timeout: .seconds(2))
            if answer?.status == .ok { return true }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Whether a login e-mail is in use, in any tenant.
    public func emailExists(_ email: String) async throws -> Bool {
        try await store.user(email: email) != nil
    }

    /// Hands the password to the auth service; undoes the user if the auth service refuses it.
    func setCredentials(for user: User, password: String, trace: TraceContext) async throws {
        let body = try JSONCoding.encoder.encode(
            ["tenantId": user.tenantId.description, "email": user.email, "password": password])
        let failure: Problem
        do {
            let response = try await environment.client(.auth).send(
                ServiceRequest(
                    method: .put, path: "/internal/v1/auth/credentials/\(user.id)",
                    headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)),
                trace: trace, timeout: .seconds(10))
            if response.status == .noContent { return }
            failure = (try? JSONCoding.decoder.decode(ProblemBody.self, from: Data(response.body.readableBytesView)))
                .map { Problem(status: $0.status, code: ProblemCode(rawValue: $0.code), title: $0.title, detail: $0.detail,
                               category: ProblemCategory(rawValue: $0.category) ?? .dependency,
                               invalidParams: $0.invalidParams ?? []) }
                ?? .badGateway("auth", detail: "The auth service refused the credentials.")
        } catch let problem as Problem {
            failure = problem
        }
        try await store.removeIncompleteUser(tenant: user.tenantId, id: user.id)
        throw failure
    }
}
