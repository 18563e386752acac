import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The compliance gate across processes: a transactions service without the compliance service
/// asks the compliance process over HTTP before a sale, and refuses the sale when no answer comes.
@Suite(.serialized) struct SplitGateTests {
    @Test func aTransactionsProcessAsksTheComplianceProcessAndFailsClosedWhenItIsGone() async throws {
        let compliance = try await ServerProcess.start(["--services", "compliance"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-split-\(UUID().uuidString)").path
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Split eG", "--admin-email", "admin@split.example", "--admin-password", "split-passwort-123",
             "--data-dir", directory])
        #expect(created.status == 0, "\(created.output)")
        let main = try await ServerProcess.start(
            ["--services", "gateway,auth,users,transactions", "--upstream", "compliance=\(compliance.baseURL)"], dataDirectory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, main.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@split.example", "password": "split-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String)
            func created(_ path: String, _ body: String) async throws -> [String: Any] {
                let response = try await send(client, main.baseURL + path, token: token, key: nil, body: body)
                #expect(response.status == 201, "\(path): \(response.body)")
                return try jsonObject(response.body)
            }
            let warehouse = try await created("/api/v1/warehouses", #"{"code": "S", "name": "Split", "locations": [{"code": "S1", "kind": "bin"}]}"#)
            let location = ((warehouse["locations"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let article = try await created("/api/v1/articles", #"{"sku": "SPLIT-1", "name": "Futter", "category": "feed", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as? String ?? ""
            let batch = try await created("/api/v1/batches", #"{"articleId": "\#(article)", "batchNumber": "SP-1"}"#)["id"] as? String ?? ""
            let customer = try await created("/api/v1/partners", #"{"name": "Hof", "roles": ["customer"], "address": {"country": "DE"}}"#)["id"] as? String ?? ""
            let item = #"{"articleId": "\#(article)", "batchId": "\#(batch)", "locationId": "\#(location)", "quantity": "%@", "unitPrice": "1"}"#
            _ = try await created("/api/v1/transactions", #"{"kind": "goods_receipt", "date": "2026-11-25", "items": [\#(item.replacingOccurrences(of: "%@", with: "100"))]}"#)
            let sale = #"{"kind": "sale", "partnerId": "\#(customer)", "date": "2026-11-25", "items": [\#(item.replacingOccurrences(of: "%@", with: "1"))]}"#

            // The compliance process never released the batch: its answer refuses the sale.
            let refused = try await send(client, main.baseURL + "/api/v1/transactions", token: token, key: nil, body: sale)
            #expect(refused.status == 422 && refused.body.contains("SP-1 may not move: untested"), "\(refused.body)")
            #expect(compliance.logLines.contains { $0["url.path"] as? String == "/internal/v1/compliance/clearance" })

            // Without the compliance process nothing is posted.
            compliance.signal(SIGTERM)
            #expect(try await compliance.waitForExit() == 0)
            let unanswered = try await send(client, main.baseURL + "/api/v1/transactions", token: token, key: nil, body: sale)
            #expect(unanswered.status == 503, "\(unanswered.body)")
            #expect(try jsonObject(unanswered.body)["category"] as? String == "dependency")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [compliance, main] { await server.stop() }
    }
}
