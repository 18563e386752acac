import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

/// The gateway's retries against an upstream that answers 503: a POST without an
/// `Idempotency-Key` reaches it once, never twice; one with a key, and a GET, are tried again;
/// the errors carry every security header.
@Suite(.serialized) struct GatewayRetryTests {
    @Test func aPostWithoutIdempotencyKeyIsNeverSentTwice() async throws {
        let upstream = try await StandInUpstream.start(answering: .serviceUnavailable)
        let gateway = try await ServerProcess.start([
            "--services", "gateway", "--upstream", "users=\(upstream.baseURL)", "--circuit-failures", "1000",
        ])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func calls(_ method: String, key: String? = nil) -> Int {
            upstream.received.filter { $0.path == "/api/v1/users" && $0.method == method && $0.idempotencyKey == key }.count
        }
        do {
            #expect(try await send(client, gateway.baseURL + "/api/v1/users", token: nil, key: nil, body: "{}").status == 503)
            #expect(calls("POST") == 1, "a POST without a key reached the service once")
            #expect(try await send(client, gateway.baseURL + "/api/v1/users", token: nil, key: "retry-1", body: "{}").status == 503)
            #expect(calls("POST", key: "retry-1") == 3, "with a key it is safe to send again: three tries")
            let failed = try await call(client, gateway.baseURL + "/api/v1/users")
            #expect(failed.status == 503)
            #expect(calls("GET") == 3)

            // Errors carry the security headers too, whether a service failed or no route matched.
            let unknown = try await call(client, gateway.baseURL + "/api/v1/nothing-here")
            #expect(unknown.status == 404)
            for answer in [failed, unknown] {
                for field in ["strict-transport-security", "content-security-policy", "x-content-type-options", "x-frame-options",
                              "referrer-policy", "permissions-policy"] {
                    #expect(answer.headers[field] != nil, "\(field) on a \(answer.status)")
                }
            }
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await gateway.stop()
        await upstream.stop()
    }
}
