import Crypto
import ERPKernel
import Foundation
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

/// The OAuth 2.0-shaped token answer (RFC 6749 §5.1 names its members).
struct TokenResponse: Encodable {
    let accessToken: String
    let refreshToken: String
    let tokenType = "Bearer"
    let expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", tokenType = "token_type", expiresIn = "expires_in"
    }
}

struct LoginRequest: Decodable {
    var email: String
    var password: String
}

struct RefreshRequest: Decodable {
    var refreshToken: String
    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
}

/// Who a user is, as the users service tells it.
struct AccessRecord: Decodable {
    var userId: EntityID
    var email: String
    var tenantId: TenantID
    var status: String
    var roles: [String]
    var permissions: [String]
}

extension AuthServiceModule {
    /// Credentials longer than this are refused before any work is spent on them.
    static let maximumCredentialBytes = 1024

    func addTokenRoutes(to router: Router<ServiceContext>) {
        router.post("/api/v1/auth/login") { request, context in
            var request = request
            let body = try await request.decodeJSON(LoginRequest.self, context: context)
            guard body.email.utf8.count <= 254, body.password.utf8.count <= Self.maximumCredentialBytes else {
                throw Problem.validation("The e-mail or password is too long.")
            }
            let address = context.clientAddress(of: request)
            if let wait = try await throttle.retryAfter(account: body.email, address: address) {
                throw Problem(
                    status: 429, code: "too_many_failed_logins", title: "Too many failed logins",
                    detail: "Too many failed logins for this account or from this address; try again in \(wait) s.",
                    category: .rateLimited, headers: ["Retry-After": String(wait)])
            }
            let access: AccessRecord
            do {
                access = try await authenticate(email: body.email, password: body.password, trace: context.trace)
            } catch let problem as Problem where problem.code == Self.invalidCredentials.code {
                try await throttle.recordFailure(account: body.email, address: address)
                throw problem
            }
            try await throttle.recordSuccess(account: body.email)
            return try await loginAnswer(for: access, trace: context.trace)
        }
        router.post("/api/v1/auth/refresh") { request, context in
            var request = request
            let presented = try await request.decodeJSON(RefreshRequest.self, context: context).refreshToken
            guard presented.utf8.count <= Self.maximumCredentialBytes else { throw Self.invalidRefreshToken }
            let successor = Self.newRefreshToken()
            let trace = context.trace
            let outcome = try await store.rotate(
                tokenHash: Self.hash(presented), successorHash: Self.hash(successor),
                successorExpiresAt: Date().addingTimeInterval(Double(settings.refreshTokenLifetime.components.seconds)),
                reuseEvents: { user, tenant in [AuthEvents.refreshTokenReused(user: user, tenant: tenant, trace: trace)] })
            switch outcome {
            case .rotated(let user, _, let family):
                let access = try await userAccess(user, trace: trace)
                guard access.status == "active" else {
                    try await store.revoke(family: family, reason: "account_\(access.status)")
                    throw Self.accountNotActive(access.status)
                }
                return try await tokenResponse(for: access, refreshToken: successor)
            case .reused:
                environment.logger.warning("refresh token reused; its family is revoked", metadata: ["event.action": "refresh-token-reuse"])
                throw Self.invalidRefreshToken
            case .expired, .revoked, .unknown:
                throw Self.invalidRefreshToken
            }
        }
        router.post("/api/v1/auth/logout") { request, context in
            var request = request
            let presented = try await request.decodeJSON(RefreshRequest.self, context: context).refreshToken
            let trace = context.trace
            let revoked = try await store.revokeFamily(ofToken: Self.hash(presented), reason: "logout") { user, tenant in
                [AuthEvents.loggedOut(user: user, tenant: tenant, trace: trace)]
            }
            guard revoked else { throw Self.invalidRefreshToken }
            return Response(status: .noContent)
        }
        router.get("/api/v1/auth/me") { _, context in
            let identity = try context.requireIdentity()
            return try Response.json(
                MeResponse(
                    subject: identity.subject, tenantId: identity.tenantID, kind: identity.kind.rawValue, roles: identity.roles,
                    permissions: identity.permissions.map(\.rawValue).sorted()))
        }
    }

    /// Starts a login: a new refresh-token family and the first token pair.
    func startLogin(for access: AccessRecord, trace: TraceContext) async throws -> Response {
        let refresh = Self.newRefreshToken()
        try await store.startFamily(
            tenant: access.tenantId, user: access.userId, tokenHash: Self.hash(refresh),
            expiresAt: Date().addingTimeInterval(Double(settings.refreshTokenLifetime.components.seconds)),
            events: [AuthEvents.loginSucceeded(access, trace: trace)])
        return try await tokenResponse(for: access, refreshToken: refresh)
    }

    /// Checks the password and that the account may log in. Unknown e-mail and wrong password
    /// get the same answer after the same work.
    private func authenticate(email: String, password: String, trace: TraceContext) async throws -> AccessRecord {
        guard let credentials = try await store.credentials(email: email) else {
            _ = try await hasher.verifyAgainstDecoy(password)
            try await record([AuthEvents.loginFailed(email: email, tenant: nil, reason: "unknown_email", trace: trace)])
            throw Self.invalidCredentials
        }
        guard try await hasher.verify(password, hash: credentials.passwordHash) else {
            try await record([AuthEvents.loginFailed(email: email, tenant: credentials.tenantID, reason: "wrong_password", trace: trace)])
            throw Self.invalidCredentials
        }
        let access = try await userAccess(credentials.userID, trace: trace)
        guard access.status == "active" else {
            try await record([AuthEvents.loginFailed(email: email, tenant: credentials.tenantID, reason: "account_\(access.status)", trace: trace)])
            throw Self.accountNotActive(access.status)
        }
        return access
    }

    func userAccess(_ user: EntityID, trace: TraceContext) async throws -> AccessRecord {
        let response = try await environment.client(.users).send(
            ServiceRequest(path: ServiceName.users.internalPathPrefix + "/access/\(user)"), trace: trace, timeout: .seconds(5))
        guard response.status == .ok else {
            if response.status == .notFound { throw Self.invalidCredentials }  // credentials of a user that no longer exists
            throw Problem.badGateway("users", detail: "The users service could not say who the user is.")
        }
        return try JSONCoding.decoder.decode(AccessRecord.self, from: Data(response.body.readableBytesView))
    }

    private func tokenResponse(for access: AccessRecord, refreshToken: String) async throws -> Response {
        let identity = Identity(
            kind: .user, subject: access.userId, tenantID: access.tenantId, roles: access.roles,
            permissions: Set(access.permissions.map(Permission.init(rawValue:))))
        let claims = AccessTokenClaims(identity: identity, issuedAt: Date(), lifetime: settings.accessTokenLifetime)
        let signing = try await keys.current()
        let token = try await signing.signer.sign(claims, kid: .init(string: signing.activeKid))
        return try Response.json(
            TokenResponse(accessToken: token, refreshToken: refreshToken, expiresIn: Int(settings.accessTokenLifetime.components.seconds)),
            headers: [.cacheControl: "no-store"])
    }

    private func record(_ events: [EventEnvelope]) async throws {
        try await environment.database!.write { try Outbox.append(events, in: $0) }
    }

    /// An opaque secret: the prefix says what it is, then 256 random bits. Only its SHA-256 is stored.
    static func newSecret(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Data(bytes).base64URLEncodedString()
    }

    static func newRefreshToken() -> String { newSecret(prefix: "rt_") }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    static let invalidCredentials = Problem(
        status: 401, code: "invalid_credentials", title: "Login failed", detail: "The e-mail or the password is wrong.",
        category: .authentication)
    static let invalidRefreshToken = Problem(
        status: 401, code: "invalid_refresh_token", title: "Refresh token not valid",
        detail: "The refresh token is unknown, expired, revoked or already used. Log in again.", category: .authentication)

    static func accountNotActive(_ status: String) -> Problem {
        Problem(
            status: 403, code: ProblemCode(rawValue: "account_\(status)"), title: "Account not active", detail: "The account is \(status).",
            category: .authorization)
    }
}

struct MeResponse: Encodable {
    let subject: EntityID
    let tenantId: TenantID
    let kind: String
    let roles: [String]
    let permissions: [String]
}
