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
import Testing

/// The gateway in split mode, with the other services stood in for by stub clients.
@Suite struct GatewayForwardingTests {
    static func app(_ clients: [ServiceName: any ServiceClient], access: GatewayAccess? = nil) -> some ApplicationProtocol {
        let directory = ServiceDirectory(clients: clients)
        let gateway = GatewayModule(
            environment: TestEnvironment.make(mode: .split), directory: directory, openAPIFragments: [],
            access: access ?? GatewayAccess(verifier: KnownTokens(), assertions: .random()), statusMaxAge: .zero)
        let router = ServiceRouter.make(metrics: MetricsRegistry()) { gateway.addRoutes(to: $0) }
        return Application(router: router)
    }

    @Test func aRequestIsForwardedWithItsTraceAndQuery() async throws {
        let users = StubServiceClient(service: .users, json: #"{"data":[],"nextCursor":null}"#)
        try await Self.app([.users: users]).test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/users?limit=5", method: .get,
                headers: [HTTPField.Name("traceparent")!: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            #expect(response.status == .ok)
            #expect(response.text == #"{"data":[],"nextCursor":null}"#)
        }
        let forwarded = try #require(users.requests.first)
        #expect(forwarded.request.path == "/api/v1/users?limit=5")
        #expect(forwarded.trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func aBodyIsForwardedUnchanged() async throws {
        let transactions = StubServiceClient(service: .transactions, json: "{}")
        try await Self.app([.transactions: transactions]).test(.router) { client in
            _ = try await client.execute(
                uri: "/api/v1/transactions", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"kind":"sale"}"#))
        }
        #expect(transactions.requests.first.map { String(buffer: $0.request.body!) } == #"{"kind":"sale"}"#)
        #expect(transactions.requests.first?.request.method == .post)
    }

    @Test func anUnreachableServiceIsA503Problem() async throws {
        let audit = StubServiceClient(service: .audit, answer: .failure(.upstreamUnavailable("audit", detail: "The audit service cannot be reached.")))
        try await Self.app([.audit: audit]).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/audit/entries", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.decode(ProblemBody.self)
            #expect(problem.code == "upstream_unavailable")
            #expect(problem.category == "dependency")
            #expect(response.headers[.retryAfter] == "1")
        }
    }

    @Test func aServiceWithoutAnAddressIsA503SayingSo() async throws {
        try await Self.app([:]).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/compliance/batches", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try response.decode(ProblemBody.self).detail?.contains("--upstream compliance=URL") == true)
        }
    }

    @Test func theServiceListShowsWhichServicesAnswer() async throws {
        let info = ServiceInfo(name: "audit", version: "9.9.9", mode: .split, address: "in-process", status: "up", databases: [])
        let audit = StubServiceClient(service: .audit, json: String(decoding: try JSONCoding.encoder.encode(info), as: UTF8.self))
        try await Self.app([.audit: audit]).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/system/services", method: .get)
            let page = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            let services = page["data"] as! [[String: Any]]
            #expect(services.count == 10)
            let auditEntry = try #require(services.first { $0["name"] as? String == "audit" })
            #expect(auditEntry["status"] as? String == "up")
            #expect(auditEntry["version"] as? String == "9.9.9")
            #expect(auditEntry["address"] as? String == "http://stub.invalid")
            let users = try #require(services.first { $0["name"] as? String == "users" })
            #expect(users["status"] as? String == "down")
            #expect(users["address"] as? String == "unconfigured")
        }
    }
}
