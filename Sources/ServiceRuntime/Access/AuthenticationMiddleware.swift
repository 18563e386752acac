import ERPKernel
import HTTPTypes
import Hummingbird
import Platform

extension HTTPField.Name {
    public static let apiKey = HTTPField.Name("X-API-Key")!
}

/// Establishes who is calling from `Authorization: Bearer …`: a valid credential sets
/// `context.identity`; an invalid one is a 401 at once; none leaves the identity empty for
/// routes that need none (login, JWKS). Routes that need one call `context.requireIdentity()`.
/// With `assertions`, the identity the gateway verified and signed is taken instead (a forged or
/// stale one is a 401); without, that header is ignored. The caller's tenant becomes the
/// `TenantScope` of the request, which a sharded database routes by.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext
    private let verifier: any CredentialVerifier
    private let assertions: IdentityAssertion?

    public init(verifier: any CredentialVerifier, assertions: IdentityAssertion? = nil) {
        self.verifier = verifier
        self.assertions = assertions
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let assertions, let assertion = request.headers[.verifiedIdentity] {
            return try await proceed(request, context, as: try assertions.verify(assertion), next: next)
        }
        guard let credential = try Self.credential(in: request) else { return try await next(request, context) }
        return try await proceed(request, context, as: try await verifier.identity(forBearer: credential), next: next)
    }

    private func proceed(
        _ request: Request, _ context: Context, as identity: Identity, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.identity = identity
        return try await TenantScope.$current.withValue(identity.tenantID) { try await next(request, context) }
    }

    /// The bearer credential, `nil` when the request carries none.
    /// - Throws: 401 for an `Authorization` header that is not `Bearer <credential>`.
    public static func credential(in request: Request) throws -> String? {
        try credential(in: request.headers)
    }

    /// The same, from a request's fields.
    public static func credential(in headers: HTTPFields) throws -> String? {
        if let header = headers[.authorization] {
            // The usual form, checked on the bytes at once: this runs on every request.
            var bearer = header
            if bearer.hasPrefix("Bearer "),
                bearer.withUTF8({ $0.count > 7 && !$0[7...].contains(UInt8(ascii: " ")) })
            {
                return String(header.dropFirst(7))
            }
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].utf8.contains(UInt8(ascii: " ")) else {
                throw Problem.unauthenticated("The Authorization header must be \"Bearer <token>\".")
            }
            return String(parts[1])
        }
        return headers[.apiKey]
    }
}

extension ServiceContext {
    /// The caller, or a 401 when the request carried no credential.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthenticated("This needs an access token or an API key.") }
        return identity
    }

    /// The caller if they hold `permission`; 401 without a credential, 403 without the permission.
    public func require(_ permission: Permission) throws -> Identity {
        let identity = try requireIdentity()
        try identity.require(permission)
        return identity
    }
}
