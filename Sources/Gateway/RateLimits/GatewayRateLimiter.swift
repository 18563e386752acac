import ERPKernel
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime

/// Applies the configured `RateLimitRule`s to each forwarded request, before it reaches a service.
///
/// Who is counted: the user of a valid access token; else the API key (by a hash of it); else
/// the client's address. Each rule of that scope whose path covers the request takes one event
/// from the store (in-process, or Redis shared by every gateway replica). A refused request is a
/// 429 with `Retry-After`; every answer carries the IETF `RateLimit-Policy` and `RateLimit`
/// fields of the rule with the least left.
public struct GatewayRateLimiter: Sendable {
    let rules: [RateLimitRule]
    let store: any RateLimitStore
    let tokens: any CredentialVerifier

    /// - Parameter tokens: verifies access tokens, to count a user by who they are and not by
    ///   what their token claims.
    public init(rules: [RateLimitRule], store: any RateLimitStore, tokens: any CredentialVerifier) {
        self.rules = rules
        self.store = store
        self.tokens = tokens
    }

    /// The rate-limit fields for the response, and the identity of the access token it verified
    /// to count the caller (the access check then need not verify it again).
    /// - Throws: a 429 `Problem` when a rule refuses the request.
    func admit(_ request: Request, context: ServiceContext) async throws -> (fields: HTTPFields, verified: Identity?) {
        guard !rules.isEmpty else { return ([:], nil) }
        let (scope, subject, verified) = await caller(of: request, context: context)
        var decisions: [(RateLimitRule, RateLimitDecision)] = []
        for rule in rules where rule.scope == scope && rule.covers(request.uri.path) {
            decisions.append((rule, try await store.acquire(Self.limit(rule, subject), window: rule.window)))
        }
        return (try Self.outcome(decisions), verified)
    }

    /// `admit` for a caller whose token was verified before, without waiting: nil when the store
    /// must ask a server (Redis), and then `admit` decides.
    func admitImmediately(path: String, identity: Identity) throws -> HTTPFields? {
        var decisions: [(RateLimitRule, RateLimitDecision)] = []
        for rule in rules where rule.scope == .user && rule.covers(path) {
            guard let decision = store.acquireImmediately(Self.limit(rule, Self.subject(identity)), window: rule.window) else { return nil }
            decisions.append((rule, decision))
        }
        return try Self.outcome(decisions)
    }

    /// `admitImmediately` for a store that asks a server (Redis) without a task: the fields once
    /// it answered, or the 429 as a failure; nil when the store cannot ask yet. A rule whose
    /// store could ask has taken its event even when a later one returns nil (and the router
    /// then takes it again): with several user rules, one store and an event loop between
    /// them, that is a connection that closed in between, and rare.
    func admitSoon(path: String, identity: Identity, on loop: any EventLoop) -> EventLoopFuture<HTTPFields>? {
        var decisions: [EventLoopFuture<(rule: RateLimitRule, decision: RateLimitDecision)>] = []
        for rule in rules where rule.scope == .user && rule.covers(path) {
            let decided = loop.makePromise(of: RateLimitDecision.self)
            guard store.acquire(Self.limit(rule, Self.subject(identity)), window: rule.window, whenDecided: { decided.completeWith($0) }) else {
                decided.fail(RateLimitStoreNotReady())
                return nil
            }
            decisions.append(decided.futureResult.map { (rule, $0) })
        }
        return EventLoopFuture.whenAllSucceed(decisions, on: loop).flatMapThrowing { try Self.outcome($0) }
    }

    private struct RateLimitStoreNotReady: Error {}

    /// Keyed by the rule itself, so replicas whose lists differ in order still share it.
    private static func limit(_ rule: RateLimitRule, _ subject: String) -> RateLimit {
        RateLimit(key: "gateway:\(rule):\(subject)", limit: rule.limit)
    }

    private static func subject(_ identity: Identity) -> String { "\(identity.tenantID):\(identity.subject)" }

    /// The headers of the tightest limit, or a 429 naming the limit whose wait is longest.
    private static func outcome(_ decisions: [(rule: RateLimitRule, decision: RateLimitDecision)]) throws -> HTTPFields {
        var tightest: (rule: RateLimitRule, decision: RateLimitDecision)?
        var refused: (rule: RateLimitRule, decision: RateLimitDecision)?
        for (rule, decision) in decisions {
            if !decision.allowed, decision.retryAfter > (refused?.decision.retryAfter ?? .zero) || refused == nil { refused = (rule, decision) }
            if decision.remaining < (tightest?.decision.remaining ?? .max) { tightest = (rule, decision) }
        }
        if let refused {
            let seconds = refused.decision.retryAfter.wholeSecondsRoundedUp
            var headers = ["Retry-After": String(seconds)]
            for field in fields(refused.rule, refused.decision) { headers[field.name.rawName] = field.value }
            throw Problem(
                status: 429, code: "rate_limited", title: "Too many requests",
                detail: "The limit \(refused.rule) is used up for this caller; try again in \(seconds) s.",
                category: .rateLimited, headers: headers)
        }
        return tightest.map { fields($0.rule, $0.decision) } ?? [:]
    }

    /// The scope and the key a request is counted under.
    /// The credential is read as authentication reads it (`AuthenticationMiddleware.credential`),
    /// so both count the same caller.
    private func caller(of request: Request, context: ServiceContext) async -> (RateLimitRule.Scope, String, Identity?) {
        // A malformed or invalid credential counts as none: authentication refuses it, the address pays.
        let credential = (try? AuthenticationMiddleware.credential(in: request.headers)) ?? nil
        if let credential, request.headers[.authorization] == nil || credential.hasPrefix(CredentialRouter.apiKeyPrefix) {
            return (.key, Self.fingerprint(credential), nil)
        }
        if let credential, let identity = try? await tokens.identity(forBearer: credential) {
            return (.user, Self.subject(identity), identity)
        }
        return (.address, context.peerAddress ?? "unknown", nil)
    }

    /// `RateLimit-Policy: "user";q=600;w=60` and `RateLimit: "user";r=599;t=1`
    /// (draft-ietf-httpapi-ratelimit-headers).
    static func fields(_ rule: RateLimitRule, _ decision: RateLimitDecision) -> HTTPFields {
        [
            .rateLimitPolicy: "\"\(rule.name)\";q=\(rule.limit);w=\(rule.window.components.seconds)",
            .rateLimit: "\"\(rule.name)\";r=\(decision.remaining);t=\(decision.reset.wholeSecondsRoundedUp)",
        ]
    }

    /// A stable 64-bit FNV-1a hash of an API key: the same in every gateway process, and the key
    /// itself never reaches the store.
    private static func fingerprint(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
}
