import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The audit service in a process of its own, fed over Redis Streams: what the transactions
/// process does arrives in the trail of the other process.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"] != nil, "needs NEUROERP_TEST_REDIS_URL"))
struct SplitAuditTests {
    @Test func actionsInOneProcessReachTheTrailOfTheAuditProcessOverRedis() async throws {
        let base = try #require(ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"])
        let redis = base + (base.contains("?") ? "&" : "?") + "key_prefix=neuroerp-e2e-\(UUID().uuidString.prefix(8)):"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-split-audit-\(UUID().uuidString)").path
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Strom eG", "--admin-email", "admin@strom.example", "--admin-password", "strom-passwort-123",
             "--data-dir", directory, "--bcrypt-cost", "4"])
        #expect(created.status == 0, "\(created.output)")
        let main = try await ServerProcess.start(
            ["--services", "auth,users,transactions,compliance", "--redis-url", redis, "--bcrypt-cost", "4"], dataDirectory: directory)
        let audit = try await ServerProcess.start(["--services", "audit", "--redis-url", redis, "--upstream", "auth=\(main.baseURL)"])
        let upstreams = ["auth", "users", "transactions", "compliance"].map { "\($0)=\(main.baseURL)" } + ["audit=\(audit.baseURL)"]
        let gateway = try await ServerProcess.start(["--services", "gateway"] + upstreams.flatMap { ["--upstream", $0] })
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@strom.example", "password": "strom-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            let article = try await send(client, gateway.baseURL + "/api/v1/articles", token: token, key: nil,
                                         body: #"{"sku": "STROM-1", "name": "Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
            #expect(article.status == 201, "\(article.body)")
            let articleID = try #require(try jsonObject(article.body)["id"] as? String)

            // The audit process learns of it through Redis only: it shares no database with main.
            var actions: [String] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let trail = try await call(
                    client, gateway.baseURL + "/api/v1/audit/events?resourceId=\(articleID)", headers: [("Authorization", "Bearer \(token)")])
                #expect(trail.status == 200, "\(trail.body)")
                actions = (try jsonObject(trail.body)["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                if !actions.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(actions == ["transactions.article.created"])
            let verified = try await call(client, gateway.baseURL + "/api/v1/audit/verify", headers: [("Authorization", "Bearer \(token)")])
            #expect(try jsonObject(verified.body)["valid"] as? Bool == true, "\(verified.body)")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, audit, main] { await server.stop() }
    }
}
