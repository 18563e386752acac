import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import Platform
import ServiceLifecycle
import ServiceRuntime

/// The auth service: login, access tokens (EdDSA JWTs), refresh-token rotation with theft
/// detection, logout, JWKS. Keeps credentials, signing keys and refresh families in the Main DB;
/// asks the users service who a user is and what they may do.
public struct AuthServiceModule: ServiceModule {
    public static let name = ServiceName.auth
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? AuthMigrations.track : AuthMigrations.postgresTrack
    }
    public static var openAPI: OpenAPIFragment { AuthOpenAPI.fragment }
    public let environment: ServiceEnvironment
    let settings: AuthSettings
    let store: CredentialStore
    let keys: SigningKeys
    let hasher: PasswordHasher
    let apiKeys: APIKeyStore
    let throttle: LoginThrottle
    let mfa: MFAStore

    public init(environment: ServiceEnvironment, settings: AuthSettings = AuthSettings()) {
        self.environment = environment
        self.settings = settings
        self.store = CredentialStore(database: environment.database!)
        self.keys = SigningKeys(database: environment.database!, accessTokenLifetime: settings.accessTokenLifetime)
        self.hasher = PasswordHasher(cost: settings.bcryptCost)
        self.apiKeys = APIKeyStore(database: environment.database!)
        self.throttle = LoginThrottle(limits: settings.loginLimits, store: environment.rateLimits)
        self.mfa = MFAStore(database: environment.database!)
    }

    public func addRoutes(to router: Router<ServiceContext>) {
        addStandardRoutes(to: router)
        addTokenRoutes(to: router)
        addAPIKeyRoutes(to: router)
        addMFARoutes(to: router)
        router.get("/.well-known/jwks.json") { _, _ in
            Response.json(encoded: ByteBuffer(bytes: try await keys.current().jwks), headers: [.cacheControl: "public, max-age=60"])
        }
        router.put(RouterPath(ServiceName.auth.internalPathPrefix + "/credentials/{userId}")) { request, context in
            guard let userID = EntityID(try context.parameters.require("userId")) else { throw Problem.notFound("No such user.") }
            var request = request
            let body = try await request.decodeJSON(CredentialsRequest.self, context: context)
            guard let tenant = TenantID(body.tenantId) else {
                throw Problem.validation("tenantId must be a UUID.", invalidParams: [InvalidParam(name: "tenantId", reason: "not a UUID")])
            }
            let findings = PasswordPolicy.findings(password: body.password, email: body.email)
            guard findings.isEmpty else { throw Problem.validation("The password does not meet the rules.", invalidParams: findings) }
            let hash = try await hasher.hash(body.password)
            try await store.setCredentials(userID: userID, tenantID: tenant, email: body.email, passwordHash: hash)
            return Response(status: .noContent)
        }
    }

    public var backgroundServices: [any Service] {
        [KeyRotation(keys: keys, maximumAge: settings.signingKeyMaximumAge, logger: environment.logger)]
    }

    /// Rotates the signing key now; the old key stays published until its tokens expired.
    public func rotateSigningKey() async throws { try await keys.rotate() }
}

struct CredentialsRequest: Decodable {
    var tenantId: String
    var email: String
    var password: String
}
