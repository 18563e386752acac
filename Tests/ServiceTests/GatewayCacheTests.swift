import ERPKernel
import ERPTesting
import Foundation
@testable import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mesh
import NIOCore
import Platform
import ServiceRuntime
import Synchronization
import Testing

/// The gateway's response cache in front of an article service that answers each caller with
/// their own name, marks the answer cacheable for the gateway, and counts what reaches it.
@Suite struct GatewayCacheTests {
    final class Articles: ServiceClient {
        let service = ServiceName.transactions
        let address = "http://articles.invalid"
        let assertions: IdentityAssertion
        let calls = Atomic<Int>(0)
        let cacheable: Bool

        init(assertions: IdentityAssertion, cacheable: Bool = true) {
            self.assertions = assertions
            self.cacheable = cacheable
        }

        func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
            calls.add(1, ordering: .relaxed)
            guard request.method == .get else { return ServiceResponse(status: .created, headers: [:], body: ByteBuffer(string: "{}")) }
            let caller = try request.headers[.verifiedIdentity].map { try assertions.verify($0).subject.description } ?? "anonymous"
            var headers: HTTPFields = [.contentType: "application/json", .eTag: "\"v-\(caller)\"", .cacheControl: "no-cache"]
            if cacheable { headers[.surrogateControl] = "max-age=30" }
            return ServiceResponse(status: .ok, headers: headers, body: ByteBuffer(string: #"{"for":"\#(caller)"}"#))
        }
    }

    let assertions = IdentityAssertion.random()
    let metrics = MetricsRegistry()

    func app(_ articles: Articles, cache: ResponseCache) -> some ApplicationProtocol {
        let gateway = GatewayModule(
            environment: TestEnvironment.make(mode: .split), directory: ServiceDirectory(clients: [.transactions: articles]),
            openAPIFragments: [], access: GatewayAccess(verifier: KnownTokens(), assertions: assertions), cache: cache, statusMaxAge: .zero)
        return Application(router: ServiceRouter.make(metrics: metrics) { gateway.addRoutes(to: $0) })
    }

    func get(_ client: some TestClientProtocol, _ token: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.authorization] = "Bearer \(token)"
        return try await client.execute(uri: "/api/v1/articles?category=seed", method: .get, headers: headers)
    }

    @Test func aCallerGetsTheirOwnCachedAnswerAndNeverAnotherCallers() async throws {
        let articles = Articles(assertions: assertions)
        let cache = ResponseCache(metrics: metrics)
        try await app(articles, cache: cache).test(.router) { client in
            let first = try await get(client, "reader")
            let again = try await get(client, "reader")
            #expect(again.text == first.text && first.text.contains(KnownTokens.reader.subject.description))
            #expect(articles.calls.load(ordering: .relaxed) == 1, "the second answer came from the cache")
            #expect(again.headers[.age] != nil)
            #expect(first.headers[.surrogateControl] == nil && again.headers[.surrogateControl] == nil, "the gateway's directive stays inside")

            let colleague = try await get(client, "colleague")
            #expect(colleague.text.contains(KnownTokens.colleague.subject.description), "a colleague of the same tenant gets their own answer")
            #expect(articles.calls.load(ordering: .relaxed) == 2)

            let etag = try #require(first.headers[.eTag])
            let unchanged = try await get(client, "reader", headers: [.ifNoneMatch: etag])
            #expect(unchanged.status == .notModified && unchanged.body.readableBytes == 0)
            let fresh = try await get(client, "reader", headers: [.cacheControl: "no-cache"])
            #expect(fresh.status == .ok)
            #expect(articles.calls.load(ordering: .relaxed) == 3, "304 from the cache; no-cache from the service")
        }
        let scrape = String(decoding: metrics.scrape(), as: UTF8.self)
        #expect(scrape.contains(#"cache_lookups_total{cache="gateway",tier="l1",result="hit"} 2"#), "\(scrape)")
    }

    @Test func aWriteOrAChangeEventDropsTheTenantsEntries() async throws {
        let articles = Articles(assertions: assertions)
        let cache = ResponseCache(metrics: metrics)
        try await app(articles, cache: cache).test(.router) { client in
            _ = try await get(client, "reader")
            _ = try await get(client, "clerk")
            let created = try await client.execute(
                uri: "/api/v1/articles", method: .post, headers: [.authorization: "Bearer reader", .contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(created.status == .created)
            _ = try await get(client, "reader")
            _ = try await get(client, "clerk")
            #expect(articles.calls.load(ordering: .relaxed) == 2 + 1 + 1, "the reader's tenant asks again; the clerk's was kept")

            let changed = EventEnvelope(
                id: .generate(), type: "transactions.article.changed", source: "transactions", tenantID: KnownTokens.clerk.tenantID,
                subject: nil, occurredAt: Date(), traceID: nil, payload: Data("{}".utf8))
            try await cache.invalidation(subscriberName: "test").deliver([changed])
            _ = try await get(client, "clerk")
            #expect(articles.calls.load(ordering: .relaxed) == 5, "the event made the clerk's tenant ask again")
        }
    }

    @Test func anAnswerNotMarkedCacheableIsAlwaysForwarded() async throws {
        let articles = Articles(assertions: assertions, cacheable: false)
        try await app(articles, cache: ResponseCache(metrics: metrics)).test(.router) { client in
            _ = try await get(client, "reader")
            _ = try await get(client, "reader")
        }
        #expect(articles.calls.load(ordering: .relaxed) == 2)
    }
}

/// The cache's storage on its own: the oldest entry makes room, and invalidation drops exactly
/// one tenant's collection.
@Suite struct CacheBoundsTests {
    static func answer(_ text: String) -> ServiceResponse {
        ServiceResponse(status: .ok, headers: [.surrogateControl: "max-age=60", .eTag: "\"\(text)\""], body: ByteBuffer(string: text))
    }

    @Test func theOldestEntryMakesRoomAndAWriteDropsOnlyItsTenantsCollection() {
        let cache = ResponseCache(maximumEntries: 3, metrics: MetricsRegistry())
        let (reader, clerk) = (KnownTokens.reader, KnownTokens.clerk)
        for n in 1...4 { cache.store(Self.answer("a\(n)"), under: "k\(n)", caller: reader, path: "/api/v1/articles/\(n)") }
        #expect(cache.answer("k1", requestHeaders: [:]) == nil, "the first of four went when the fourth came")
        #expect(cache.answer("k4", requestHeaders: [:]).map { String(buffer: $0.body) } == "a4")

        cache.store(Self.answer("w"), under: "w", caller: clerk, path: "/api/v1/articles")
        cache.invalidate(tenant: reader.tenantID, collection: "/api/v1/articles")
        #expect(cache.answer("k4", requestHeaders: [:]) == nil)
        #expect(cache.answer("w", requestHeaders: [:]) != nil, "another tenant's entry stays")
        cache.invalidate(tenant: nil, collection: "/api/v1/articles")
        #expect(cache.answer("w", requestHeaders: [:]) == nil)
    }
}
