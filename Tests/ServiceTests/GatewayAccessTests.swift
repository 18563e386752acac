import ERPKernel
import ERPTesting
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mesh
import Platform
import ServiceRuntime
import Synchronization
import Testing

/// Verifies three made-up tokens: `reader` (reports.read), `colleague` (the reader's tenant, no
/// permission) and `clerk` (another tenant, no permission).
struct KnownTokens: CredentialVerifier {
    static let reader = Identity(kind: .user, subject: .generate(), tenantID: TenantID(.generate()), roles: ["auditor"], permissions: [.reportsRead])
    static let colleague = Identity(kind: .user, subject: .generate(), tenantID: reader.tenantID, roles: [], permissions: [])
    static let clerk = Identity(kind: .user, subject: .generate(), tenantID: TenantID(.generate()), roles: [], permissions: [])

    func identity(forBearer credential: String) async throws -> Identity {
        switch credential {
        case "reader": Self.reader
        case "colleague": Self.colleague
        case "clerk": Self.clerk
        default: throw Problem.unauthenticated("The token's signature is not valid.")
        }
    }
}

/// `KnownTokens`, counting how often it was asked.
final class CountingTokens: CredentialVerifier {
    let asked = Mutex(0)

    func identity(forBearer credential: String) async throws -> Identity {
        asked.withLock { $0 += 1 }
        return try await KnownTokens().identity(forBearer: credential)
    }
}

/// The gateway checks callers before any service sees them, applies its access rules per
/// route, and tells the service who called in a signed assertion only it can make.
@Suite struct GatewayAccessTests {
    let assertions = IdentityAssertion(secret: Data(repeating: 7, count: 32))

    func app(_ reports: StubServiceClient, rules: [AccessRule] = []) -> some ApplicationProtocol {
        GatewayForwardingTests.app(
            [.reporting: reports], access: GatewayAccess(verifier: KnownTokens(), assertions: assertions, rules: rules))
    }

    @Test func aTokenCountedByARateLimitIsNotVerifiedAgainForTheAccessCheck() async throws {
        let tokens = CountingTokens()
        let reports = StubServiceClient(service: .reporting, json: "{}")
        let gateway = GatewayModule(
            environment: TestEnvironment.make(mode: .split), directory: ServiceDirectory(clients: [.reporting: reports]), openAPIFragments: [],
            access: GatewayAccess(
                verifier: tokens, assertions: assertions,
                rules: [AccessRule(pathPrefix: "/api/v1/reports", methods: ["GET"], permission: .reportsRead)]),
            statusMaxAge: .zero,
            rateLimiter: GatewayRateLimiter(
                rules: [RateLimitRule(scope: .user, limit: 100, window: .seconds(60))], store: InProcessRateLimitStore(), tokens: tokens))
        try await Application(router: ServiceRouter.make(metrics: MetricsRegistry()) { gateway.addRoutes(to: $0) }).test(.router) { client in
            let reader = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer reader"])
            #expect(reader.status == .ok)
            #expect(reader.headers[HTTPField.Name("RateLimit")!] != nil, "the user was counted")
            let clerk = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer clerk"])
            #expect(clerk.status == .forbidden, "the access rule still applies to the identity the rate limiter verified")
        }
        #expect(tokens.asked.withLock { $0 } == 2, "one verification per request")
        #expect(reports.requests.count == 1)
    }

    /// The limiter counts the caller authentication sees: an access token wins over an API key beside it.
    @Test func theRateLimitCountsTheCallerAuthenticationSees() async throws {
        let reports = StubServiceClient(service: .reporting, json: "{}")
        let gateway = GatewayModule(
            environment: TestEnvironment.make(mode: .split), directory: ServiceDirectory(clients: [.reporting: reports]), openAPIFragments: [],
            access: GatewayAccess(verifier: KnownTokens(), assertions: assertions, rules: []), statusMaxAge: .zero,
            rateLimiter: GatewayRateLimiter(
                rules: [RateLimitRule(scope: .user, limit: 100, window: .seconds(60)), RateLimitRule(scope: .key, limit: 100, window: .seconds(60))],
                store: InProcessRateLimitStore(), tokens: KnownTokens()))
        try await Application(router: ServiceRouter.make(metrics: MetricsRegistry()) { gateway.addRoutes(to: $0) }).test(.router) { client in
            let both = try await client.execute(
                uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer reader", .apiKey: "nerp_unknown"])
            #expect(both.status == .ok)
            #expect(both.headers[HTTPField.Name("RateLimit-Policy")!]?.hasPrefix(#""user""#) == true, "\(both.headers)")
        }
    }

    @Test func aBadTokenIsRefusedAtTheGatewayWithoutCallingTheService() async throws {
        let reports = StubServiceClient(service: .reporting, json: "{}")
        try await app(reports).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer forged"])
            #expect(response.status == .unauthorized)
            #expect(try response.decode(ProblemBody.self).detail == "The token's signature is not valid.")
        }
        #expect(reports.requests.isEmpty)
    }

    @Test func anAccessRuleNeedsACallerAndItsPermission() async throws {
        let reports = StubServiceClient(service: .reporting, json: "{}")
        let rule = AccessRule(pathPrefix: "/api/v1/reports", methods: ["GET"], permission: .reportsRead)
        try await app(reports, rules: [rule]).test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get)
            #expect(anonymous.status == .unauthorized)
            let clerk = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer clerk"])
            #expect(clerk.status == .forbidden)
            #expect(try clerk.decode(ProblemBody.self).detail == "This needs the permission reports.read.")
            let reader = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer reader"])
            #expect(reader.status == .ok)
        }
        #expect(reports.requests.count == 1, "only the permitted call reached the service")
    }

    @Test func theServiceLearnsTheVerifiedCallerFromASignedAssertionNeverFromTheClient() async throws {
        let reports = StubServiceClient(service: .reporting, json: "{}")
        let forged = IdentityAssertion.random().sign(KnownTokens.reader)
        try await app(reports).test(.router) { client in
            _ = try await client.execute(
                uri: "/api/v1/reports/trial-balance", method: .get, headers: [.authorization: "Bearer clerk", .verifiedIdentity: forged])
            _ = try await client.execute(uri: "/api/v1/reports/trial-balance", method: .get, headers: [.verifiedIdentity: forged])
        }
        let asserted = try #require(reports.requests.first?.request.headers[.verifiedIdentity])
        #expect(try assertions.verify(asserted) == KnownTokens.clerk, "the caller the gateway verified, not the client's claim")
        #expect(reports.requests.last?.request.headers[.verifiedIdentity] == nil, "an anonymous call carries no assertion")
    }

    @Test func anAssertionIsRefusedWhenForgedTamperedOrStale() throws {
        let signed = assertions.sign(KnownTokens.reader)
        #expect(try assertions.verify(signed) == KnownTokens.reader)
        #expect(throws: Problem.self) { try IdentityAssertion.random().verify(signed) }
        var tampered = Array(signed.utf8)
        tampered[3] = tampered[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: Problem.self) { try assertions.verify(String(decoding: tampered, as: UTF8.self)) }
        #expect(throws: Problem.self) { try assertions.verify(signed, now: Date().addingTimeInterval(61)) }
    }
}
