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
        let auditDirectory = directory + "-audit"
        let auditArguments = ["--services", "audit", "--redis-url", redis, "--upstream", "auth=\(main.baseURL)"]
        var audit = try await ServerProcess.start(auditArguments, dataDirectory: auditDirectory)
        let upstreams = ["auth", "users", "transactions", "compliance"].map { "\($0)=\(main.baseURL)" } + ["audit=\(audit.baseURL)"]
        let gateway = try await ServerProcess.start(["--services", "gateway"] + upstreams.flatMap { ["--upstream", $0] })
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@strom.example", "password": "strom-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            func article(_ sku: String) async throws -> String {
                let response = try await send(client, gateway.baseURL + "/api/v1/articles", token: token, key: nil,
                                              body: #"{"sku": "\#(sku)", "name": "Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
                #expect(response.status == 201, "\(response.body)")
                return try #require(try jsonObject(response.body)["id"] as? String)
            }
            // Asked of the audit process itself: a restarted one listens on a new port.
            func actions(of id: String) async throws -> [String] {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    let trail = try await call(
                        client, audit.baseURL + "/api/v1/audit/events?resourceId=\(id)", headers: [("Authorization", "Bearer \(token)")])
                    let actions = (try jsonObject(trail.body)["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                    if !actions.isEmpty { return actions }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return []
            }

            // The audit process learns of it through Redis only: it shares no database with main.
            let first = try await article("STROM-1")
            #expect(try await actions(of: first) == ["transactions.article.created"])
            let routed = try await call(
                client, gateway.baseURL + "/api/v1/audit/events?resourceId=\(first)", headers: [("Authorization", "Bearer \(token)")])
            #expect(routed.status == 200 && routed.body.contains(first), "\(routed.body)")

            // While the audit process is down the events wait in the stream; started again, it
            // takes each of them once.
            audit.signal(SIGTERM)
            #expect(try await audit.waitForExit() == 0)
            let whileDown = try await article("STROM-2")
            audit = try await ServerProcess.start(auditArguments, dataDirectory: auditDirectory)
            #expect(try await actions(of: whileDown) == ["transactions.article.created"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await actions(of: whileDown) == ["transactions.article.created"], "delivered once")
            let verified = try await call(client, audit.baseURL + "/api/v1/audit/verify", headers: [("Authorization", "Bearer \(token)")])
            #expect(try jsonObject(verified.body)["valid"] as? Bool == true, "\(verified.body)")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, audit, main] { await server.stop() }
    }
}
