import AsyncHTTPClient
import Foundation
import Testing

/// The gateway's rate limits across processes: two gateway replicas on one Redis count one
/// budget, refuse with 429, `Retry-After` and the RateLimit fields, and say what is left on
/// every answer.
@Suite(.serialized, .enabled(if: RedisServer.isInstalled, "needs redis-server (scripts/redis installs it)"))
struct GatewayRateLimitTests {
    @Test func twoGatewayReplicasOnOneRedisEnforceOneSharedLimit() async throws {
        let redis = try await RedisServer.start()
        let auth = try await ServerProcess.start(["--services", "auth,users"])
        let gatewayArguments = [
            "--services", "gateway", "--upstream", "auth=\(auth.baseURL)", "--upstream", "users=\(auth.baseURL)",
            "--redis-url", "\(redis.url)?key_prefix=limits:", "--rate-limit", "address=5/1m",
        ]
        let one = try await ServerProcess.start(gatewayArguments)
        let other = try await ServerProcess.start(gatewayArguments)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var answers: [(status: Int, headers: [String: String], body: String)] = []
            let started = ContinuousClock.now
            for n in 0..<6 { answers.append(try await call(client, (n % 2 == 0 ? one : other).baseURL + "/.well-known/jwks.json")) }
            #expect(answers.prefix(5).map(\.status) == [200, 200, 200, 200, 200], "five between both replicas")
            #expect(answers[0].headers["ratelimit-policy"] == #""address";q=5;w=60"#)
            #expect(answers[4].headers["ratelimit"]?.hasPrefix(#""address";r=0;t="#) == true, "\(answers[4].headers)")

            let refused = answers[5]
            #expect(refused.status == 429)
            #expect(refused.headers["content-type"] == "application/problem+json")
            #expect(try jsonObject(refused.body)["code"] as? String == "rate_limited")
            // One request every 12 s refills the budget, counted from the first of the five.
            let retry = try #require(Int(refused.headers["retry-after"] ?? ""), "\(refused.headers)")
            let elapsed = Int((ContinuousClock.now - started).components.seconds)
            #expect(retry <= 12 && retry >= 11 - elapsed, "Retry-After \(retry) after \(elapsed) s")
            #expect(refused.headers["ratelimit"]?.hasPrefix(#""address";r=0;"#) == true)

            // The gateway's own routes are not limited.
            #expect(try await call(client, one.baseURL + "/api/v1/system/services").status == 200)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [one, other, auth] { await server.stop() }
        await redis.stop()
    }
}
