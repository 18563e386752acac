import ERPKernel
import Foundation
import Hummingbird
import ServiceRuntime

struct CodeRequest: Decodable {
    var code: String
}

struct MFALoginRequest: Decodable {
    var mfaToken: String
    var code: String
    enum CodingKeys: String, CodingKey { case mfaToken = "mfa_token", code }
}

/// The login answer for an account with a second factor: no tokens yet, a challenge instead.
struct MFAChallengeResponse: Encodable {
    let mfaRequired = true
    let mfaToken: String
    let expiresIn: Int
    enum CodingKeys: String, CodingKey { case mfaRequired = "mfa_required", mfaToken = "mfa_token", expiresIn = "expires_in" }
}

extension AuthServiceModule {
    static let challengeLifetimeSeconds = 300
    static let challengeMaximumFailures = 5
    static let recoveryCodeCount = 10

    func addMFARoutes(to router: Router<ServiceContext>) {
        router.post("/api/v1/auth/mfa/enrol") { _, context in
            let identity = try context.requireIdentity()
            guard identity.kind == .user else { throw Problem.forbidden(missing: .usersWrite) }
            let access = try await userAccess(identity.subject, trace: context.trace)
            let secret = TOTPCheck.newSecret()
            guard try await mfa.enrol(user: identity.subject, tenant: identity.tenantID, secret: secret) else {
                throw Problem.conflict("mfa_active", "A second factor is active already; disable it first.")
            }
            return try Response.json(
                ["secret": String(base32: secret), "otpauthUri": TOTPCheck.authenticatorURI(secret: secret, account: access.email)],
                headers: [.cacheControl: "no-store"])
        }
        router.post("/api/v1/auth/mfa/confirm") { request, context in
            let identity = try context.requireIdentity()
            var request = request
            let code = try await request.decodeJSON(CodeRequest.self, context: context).code
            guard let enrolment = try await mfa.enrolment(of: identity.subject), !enrolment.confirmed else {
                throw Problem.conflict("mfa_not_enrolling", "Start with POST /api/v1/auth/mfa/enrol.")
            }
            guard let step = TOTPCheck.matchingStep(code: code, secret: enrolment.secret, lastUsedStep: enrolment.lastUsedStep) else {
                throw Self.wrongCode
            }
            let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
            try await mfa.confirm(
                user: identity.subject, step: step, recoveryCodeHashes: codes.map(Self.hash),
                events: [AuthEvents.make("auth.mfa.enabled.v1", tenant: identity.tenantID, subject: identity.subject.description, trace: context.trace, fields: [:])])
            return try Response.json(["recoveryCodes": codes], headers: [.cacheControl: "no-store"])
        }
        router.post("/api/v1/auth/mfa/disable") { request, context in
            let identity = try context.requireIdentity()
            var request = request
            let code = try await request.decodeJSON(CodeRequest.self, context: context).code
            guard try await checkSecondFactor(code, of: identity.subject) else { throw Self.wrongCode }
            try await mfa.remove(
                user: identity.subject,
                events: [AuthEvents.make("auth.mfa.disabled.v1", tenant: identity.tenantID, subject: identity.subject.description, trace: context.trace, fields: [:])])
            return Response(status: .noContent)
        }
        router.post("/api/v1/auth/login/mfa") { request, context in
            var request = request
            let body = try await request.decodeJSON(MFALoginRequest.self, context: context)
            let tokenHash = Self.hash(body.mfaToken)
            guard body.mfaToken.utf8.count <= 256,
                let user = try await mfa.challengeUser(tokenHash: tokenHash, maximumFailures: Self.challengeMaximumFailures)
            else { throw Self.invalidChallenge }
            guard try await checkSecondFactor(body.code, of: user) else {
                try await mfa.recordFailedAttempt(tokenHash: tokenHash)
                throw Self.wrongCode
            }
            guard try await mfa.completeChallenge(tokenHash: tokenHash) else { throw Self.invalidChallenge }
            let access = try await userAccess(user, trace: context.trace)
            guard access.status == "active" else { throw Self.accountNotActive(access.status) }
            return try await startLogin(for: access, trace: context.trace)
        }
    }

    /// The login answer once the password is right: tokens, or a challenge for the second factor.
    func loginAnswer(for access: AccessRecord, trace: TraceContext) async throws -> Response {
        guard let enrolment = try await mfa.enrolment(of: access.userId), enrolment.confirmed else {
            return try await startLogin(for: access, trace: trace)
        }
        let token = Self.newSecret(prefix: "mt_")
        try await mfa.createChallenge(
            tokenHash: Self.hash(token), user: access.userId, expiresAt: Date().addingTimeInterval(Double(Self.challengeLifetimeSeconds)))
        return try Response.json(MFAChallengeResponse(mfaToken: token, expiresIn: Self.challengeLifetimeSeconds), headers: [.cacheControl: "no-store"])
    }

    /// A current TOTP code (each step once) or an unspent recovery code.
    private func checkSecondFactor(_ code: String, of user: EntityID) async throws -> Bool {
        guard let enrolment = try await mfa.enrolment(of: user), enrolment.confirmed, code.utf8.count <= 64 else { return false }
        if let step = TOTPCheck.matchingStep(code: code, secret: enrolment.secret, lastUsedStep: enrolment.lastUsedStep) {
            return try await mfa.use(step: step, of: user)
        }
        return try await mfa.spendRecoveryCode(hash: Self.hash(Self.normalisedRecoveryCode(code)), of: user)
    }

    /// `xxxx-xxxx-xxxx` from an alphabet without look-alikes.
    static func newRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return [0, 4, 8].map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    static func normalisedRecoveryCode(_ code: String) -> String {
        let plain = code.lowercased().filter { $0 != "-" && $0 != " " }
        guard plain.count == 12 else { return code }
        let characters = Array(plain)
        return [0, 4, 8].map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    static let wrongCode = Problem(
        status: 401, code: "invalid_mfa_code", title: "Code not valid", detail: "The code is wrong, expired or used already.",
        category: .authentication)
    static let invalidChallenge = Problem(
        status: 401, code: "invalid_mfa_token", title: "Login step not valid",
        detail: "The login step is unknown, expired, finished or tried too often. Log in again.", category: .authentication)
}

extension String {
    /// RFC 4648 base32 without padding, as authenticator apps take secrets.
    init(base32 text: String) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var result = ""
        var buffer = 0
        var bits = 0
        for byte in text.utf8 {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { result.append(alphabet[(buffer << (5 - bits)) & 31]) }
        self = result
    }
}
