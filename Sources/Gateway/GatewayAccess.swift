import ERPKernel
import Hummingbird
import ServiceRuntime
import Synchronization

/// Who may pass the gateway: a credential, when sent, is verified here (a JWT locally against the
/// auth service's JWKS, an API key at the auth service), so a bad one never reaches a service;
/// the policy's access rules then decide per route. The verified caller travels on as a signed
/// assertion that the service behind takes instead of checking again.
public final class GatewayAccess: Sendable {
    let verifier: any CredentialVerifier
    let assertions: IdentityAssertion
    private let rules: Mutex<[AccessRule]>

    public init(verifier: any CredentialVerifier, assertions: IdentityAssertion, rules: [AccessRule] = []) {
        self.verifier = verifier
        self.assertions = assertions
        self.rules = Mutex(rules)
    }

    /// Takes effect for the next request.
    public func update(rules newRules: [AccessRule]) { rules.withLock { $0 = newRules } }

    /// The verified caller, nil for an anonymous request that no rule stops.
    /// - Throws: 401 for a bad credential or none where a rule needs one; 403 for a missing permission.
    func admit(_ request: Request) async throws -> Identity? {
        var identity: Identity?
        if let credential = try AuthenticationMiddleware.credential(in: request) { identity = try await verifier.identity(forBearer: credential) }
        let path = request.uri.path
        let applicable = rules.withLock { $0.filter { $0.covers(method: request.method, path: path) } }
        guard !applicable.isEmpty else { return identity }
        guard let identity else { throw Problem.unauthenticated("\(path) needs an access token or an API key.") }
        for rule in applicable { if let permission = rule.permission { try identity.require(permission) } }
        return identity
    }
}
