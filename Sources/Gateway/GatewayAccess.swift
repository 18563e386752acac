import ERPKernel
import HTTPTypes
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
    /// Assertions signed per credential, reused for half their lifetime: signing costs tens of
    /// microseconds, and a client sends the same credential for minutes.
    private let signed = Mutex<[String: (identity: Identity, assertion: String, renewAt: ContinuousClock.Instant)]>([:])
    static let signedCapacity = 50_000

    public init(verifier: any CredentialVerifier, assertions: IdentityAssertion, rules: [AccessRule] = []) {
        self.verifier = verifier
        self.assertions = assertions
        self.rules = Mutex(rules)
    }

    /// Takes effect for the next request.
    public func update(rules newRules: [AccessRule]) { rules.withLock { $0 = newRules } }

    /// The verified caller and its signed assertion; nil for an anonymous request that no rule stops.
    /// - Throws: 401 for a bad credential or none where a rule needs one; 403 for a missing permission.
    /// - Parameter verified: the identity of the request's access token, when the rate limiter
    ///   verified it already.
    func admit(_ request: Request, verified: Identity? = nil) async throws -> (identity: Identity, assertion: String)? {
        var caller: (identity: Identity, assertion: String)?
        if let credential = try AuthenticationMiddleware.credential(in: request) {
            let identity: Identity
            if let verified { identity = verified } else { identity = try await verifier.identity(forBearer: credential) }
            caller = (identity, assertion(for: identity, credential: credential))
        }
        try check(caller, method: request.method, path: request.uri.path)
        return caller
    }

    /// `admit` for a caller whose token was verified before, without waiting.
    func admit(_ identity: Identity, credential: String, method: HTTPRequest.Method, path: String) throws -> (identity: Identity, assertion: String) {
        let caller = (identity: identity, assertion: assertion(for: identity, credential: credential))
        try check(caller, method: method, path: path)
        return caller
    }

    /// - Throws: 401 or 403 when a rule covering the route needs a caller or a permission this one lacks.
    private func check(_ caller: (identity: Identity, assertion: String)?, method: HTTPRequest.Method, path: String) throws {
        let applicable = rules.withLock { $0.filter { $0.covers(method: method, path: path) } }
        guard !applicable.isEmpty else { return }
        guard let caller else { throw Problem.unauthenticated("\(path) needs an access token or an API key.") }
        for rule in applicable { if let permission = rule.permission { try caller.identity.require(permission) } }
    }

    private func assertion(for identity: Identity, credential: String, now: ContinuousClock.Instant = .now) -> String {
        // An API key's scopes can change while the key stays: then the identity differs and is signed anew.
        if let kept = signed.withLock({ $0[credential] }), kept.renewAt > now, kept.identity == identity { return kept.assertion }
        let assertion = assertions.sign(identity)
        signed.withLock { signed in
            // Full: forget them all; each is signed again on its next use.
            if signed.count >= Self.signedCapacity { signed.removeAll(keepingCapacity: true) }
            signed[credential] = (identity, assertion, now + assertions.lifetime / 2)
        }
        return assertion
    }
}
