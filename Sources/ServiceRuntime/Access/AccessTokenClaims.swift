import ERPKernel
import Foundation
import JWTKit

/// The claims of a NeuroERP access token. JWT claim names are standard (`iss`, `aud`, `sub`,
/// `exp`, `iat`, `jti`); the rest are ours.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public static let issuer = "neuroerp"
    public static let audience = "neuroerp-api"

    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    /// The tenant (Mandant) ID.
    public var tenant: String
    /// `user` or `api_key`.
    public var kind: String
    public var roles: [String]
    /// Permission names, e.g. `users.read`.
    public var permissions: [String]

    /// - Parameter issuedAt: rounded down to whole seconds, as JWT NumericDates usually are.
    public init(identity: Identity, issuedAt: Date, lifetime: Duration) {
        let issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        iss = IssuerClaim(value: Self.issuer)
        aud = AudienceClaim(value: [Self.audience])
        sub = SubjectClaim(value: identity.subject.description)
        iat = IssuedAtClaim(value: issuedAt)
        exp = ExpirationClaim(value: issuedAt.addingTimeInterval(Double(lifetime.components.seconds)))
        jti = IDClaim(value: EntityID.generate().description)
        tenant = identity.tenantID.description
        kind = identity.kind.rawValue
        roles = identity.roles
        permissions = identity.permissions.map(\.rawValue).sorted()
    }

    /// Checked by jwt-kit after the signature: not expired, meant for us, issued by us.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: Self.audience)
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }

    /// The identity the token stands for, or `nil` when a field is not what we issue.
    public var identity: Identity? {
        guard let subject = EntityID(sub.value), let tenantID = TenantID(tenant), let kind = Identity.Kind(rawValue: kind) else {
            return nil
        }
        return Identity(
            kind: kind, subject: subject, tenantID: tenantID, roles: roles,
            permissions: Set(permissions.map(Permission.init(rawValue:))))
    }
}
