import Crypto
import ERPKernel
import Foundation
import HTTPTypes

extension HTTPField.Name {
    /// The caller as the gateway verified it, signed with the mesh secret.
    public static let verifiedIdentity = HTTPField.Name("X-NeuroERP-Identity")!
}

/// The identity the gateway verified, passed to the service behind it in a form that service
/// can trust without asking again: the identity's fields and an expiry, signed with HMAC-SHA-256
/// under a secret only the processes of one installation share (`--mesh-secret`).
///
/// A service that holds the secret takes a valid assertion instead of checking the bearer
/// credential itself; for an API key that saves a call to the auth service per request. The
/// gateway removes any assertion a client sends, so only its own reach a service.
public struct IdentityAssertion: Sendable {
    private let key: SymmetricKey
    /// How long an assertion is valid; one hop takes far less (default 60 s).
    public let lifetime: Duration
    /// Assertions already checked, until they expire: a client sends the same for a minute.
    private let verified = VerifiedTokens(capacity: 50_000)

    /// The shortest mesh secret accepted, in bytes.
    public static let minimumSecretBytes = 32

    public init(secret: Data, lifetime: Duration = .seconds(60)) {
        precondition(secret.count >= Self.minimumSecretBytes, "a mesh secret has at least 32 bytes")
        key = SymmetricKey(data: secret)
        self.lifetime = lifetime
    }

    /// A random secret, for one process whose gateway and services talk in-process.
    public static func random() -> IdentityAssertion { IdentityAssertion(secret: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }) }

    private struct Payload: Codable {
        var kind: Identity.Kind
        var sub: EntityID
        var tenant: TenantID
        var roles: [String]
        var permissions: [Permission]
        /// Expiry, seconds since 1970.
        var exp: Int64
    }

    /// `base64url(payload).base64url(mac)`.
    public func sign(_ identity: Identity, now: Date = Date()) -> String {
        let payload = Payload(
            kind: identity.kind, sub: identity.subject, tenant: identity.tenantID, roles: identity.roles,
            permissions: identity.permissions.sorted(), exp: Int64(now.timeIntervalSince1970) + lifetime.components.seconds)
        let encoded = (try? JSONEncoder().encode(payload)).map { $0.base64URLEncodedString() } ?? ""
        let mac = HMAC<SHA256>.authenticationCode(for: Data(encoded.utf8), using: key)
        return encoded + "." + Data(mac).base64URLEncodedString()
    }

    /// - Throws: 401 for an assertion that is malformed, not signed with this secret, or expired.
    public func verify(_ assertion: String, now: Date = Date()) throws -> Identity {
        if let identity = verified.identity(for: assertion, now: now) { return identity }
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard assertion.utf8.count <= 8192, parts.count == 2, let mac = Data(base64URLEncoded: String(parts[1])),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key),
            let json = Data(base64URLEncoded: String(parts[0])),
            let payload = try? JSONDecoder().decode(Payload.self, from: json)
        else { throw Problem.unauthenticated("The gateway's identity assertion is not valid.") }
        guard payload.exp > Int64(now.timeIntervalSince1970) else {
            throw Problem.unauthenticated("The gateway's identity assertion has expired.")
        }
        let identity = Identity(
            kind: payload.kind, subject: payload.sub, tenantID: payload.tenant, roles: payload.roles,
            permissions: Set(payload.permissions))
        verified.remember(assertion, identity: identity, expiresAt: Date(timeIntervalSince1970: Double(payload.exp)), now: now)
        return identity
    }
}
