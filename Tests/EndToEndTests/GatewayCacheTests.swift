import AsyncHTTPClient
import Foundation
import Testing

/// The gateway's response cache between real processes: the article catalogue is answered from
/// the cache for the caller who read it, never for another tenant or an anonymous caller, and a
/// new article shows at once.
@Suite(.serialized) struct GatewayCacheEndToEndTests {
    @Test func aCachedCatalogueIsNeverServedToAnotherCallerAndAWriteRefreshesIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-cache-\(UUID().uuidString)").path
        for (name, email) in [("Hof Ost eG", "admin@ost.example"), ("Hof West eG", "admin@west.example")] {
            let created = try TenantCommandTests.run(
                ["tenant", "create", "--name", name, "--admin-email", email, "--admin-password", "cache-passwort-123",
                 "--data-dir", directory, "--bcrypt-cost", "4"])
            #expect(created.status == 0, "\(created.output)")
        }
        let main = try await ServerProcess.start(["--services", "auth,users,transactions,compliance", "--bcrypt-cost", "4"], dataDirectory: directory)
        let gateway = try await ServerProcess.start(
            ["--services", "gateway"] + ["auth", "users", "transactions", "compliance"].flatMap { ["--upstream", "\($0)=\(main.baseURL)"] })
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            func token(_ email: String) async throws -> String {
                let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                           body: #"{"email": "\#(email)", "password": "cache-passwort-123"}"#)
                return try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            }
            let (east, west) = (try await token("admin@ost.example"), try await token("admin@west.example"))
            func catalogue(_ token: String?) async throws -> (status: Int, body: String) {
                let answer = try await call(client, gateway.baseURL + "/api/v1/articles", headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
                return (answer.status, answer.body)
            }
            func hits() async throws -> Int {
                let metrics = try await call(client, gateway.baseURL + "/metrics").body
                return metrics.split(separator: "\n").first { $0.hasPrefix(#"cache_lookups_total{cache="gateway",tier="l1",result="hit"}"#) }
                    .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            }
            func article(_ sku: String) async throws {
                let created = try await send(client, gateway.baseURL + "/api/v1/articles", token: east, key: UUID().uuidString,
                                             body: #"{"sku": "\#(sku)", "name": "Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
                #expect(created.status == 201, "\(created.body)")
            }

            try await article("OST-1")
            let first = try await catalogue(east)
            let hitsBefore = try await hits()
            let again = try await catalogue(east)
            #expect(first.status == 200 && first.body.contains("OST-1") && again.body == first.body)
            #expect(try await hits() == hitsBefore + 1, "the second read came from the gateway's cache")

            let other = try await catalogue(west)
            #expect(other.status == 200 && !other.body.contains("OST-1"), "another tenant's caller gets their own catalogue: \(other.body)")
            #expect(try await catalogue(nil).status == 401, "an anonymous caller gets no cached answer")

            try await article("OST-2")
            let refreshed = try await catalogue(east)
            #expect(refreshed.body.contains("OST-2"), "the write dropped the cached catalogue")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, main] { await server.stop() }
    }
}
