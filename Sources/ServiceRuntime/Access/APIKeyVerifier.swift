import ERPKernel
import Foundation

/// Turns an API key into an identity by asking the auth service (keys are opaque: only the
/// auth service can say whose a key is). Every use is checked, so a revoked key stops at once.
public struct APIKeyVerifier: CredentialVerifier {
    /// The key as the auth service describes it.
    public struct Description: Decodable, Sendable {
        public var id: EntityID
        public var tenantId: TenantID
        public var scopes: [String]
    }

    private let introspect: @Sendable (String) async throws -> Description?

    /// - Parameter introspect: the auth service's answer; `nil` for an unknown or revoked key.
    public init(introspect: @escaping @Sendable (String) async throws -> Description?) {
        self.introspect = introspect
    }

    public func identity(forBearer credential: String) async throws -> Identity {
        guard credential.utf8.count <= 256, let key = try await introspect(credential) else {
            throw Problem.unauthenticated("The API key is unknown or revoked.")
        }
        return Identity(
            kind: .apiKey, subject: key.id, tenantID: key.tenantId, roles: [],
            permissions: Set(key.scopes.map(Permission.init(rawValue:))))
    }
}

/// Sends API keys (`nk_…`) to one verifier and everything else (JWTs) to another.
public struct CredentialRouter: CredentialVerifier {
    public static let apiKeyPrefix = "nk_"
    let tokens: any CredentialVerifier
    let apiKeys: any CredentialVerifier

    public init(tokens: any CredentialVerifier, apiKeys: any CredentialVerifier) {
        self.tokens = tokens
        self.apiKeys = apiKeys
    }

    public func identity(forBearer credential: String) async throws -> Identity {
        credential.hasPrefix(Self.apiKeyPrefix)
            ? try await apiKeys.identity(forBearer: credential) : try await tokens.identity(forBearer: credential)
    }

    public func verifiedIdentity(forBearer credential: String) -> Identity? {
        credential.hasPrefix(Self.apiKeyPrefix) ? apiKeys.verifiedIdentity(forBearer: credential) : tokens.verifiedIdentity(forBearer: credential)
    }
}
