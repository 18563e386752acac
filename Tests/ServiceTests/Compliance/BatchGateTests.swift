import ComplianceService
import ERPKernel
import ERPTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mesh
import NIOCore
import ServiceRuntime
import Testing

/// The compliance gate on real sales through the API of an embedded process: quality status
/// and the PSM register decide which batches may leave stock.
@Suite struct BatchGateTests {
    @Test func blockedRecalledUntestedAndExpiredPSMBatchesAreRefusedWithBatchAndReason() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let fresh = try await client.created("/api/v1/batches", token: trade.token, #"{"articleId": "\#(trade.seed)", "batchNumber": "TOB-2026-02"}"#)["id"] as! String
            let psm = try await client.created(
                "/api/v1/articles", token: trade.token,
                #"{"sku": "FUNGI-X", "name": "Fungizid", "category": "psm", "baseUnit": "l", "taxCode": "DE19", "psmApprovalNumber": "024567-00", "psmApprovalExpiresOn": "2030-12-31"}"#)["id"] as! String
            let psmBatch = try await client.created("/api/v1/batches", token: trade.token, #"{"articleId": "\#(psm)", "batchNumber": "FX-1"}"#)["id"] as! String
            try await client.release(psmBatch, token: trade.token)
            let receipt = try await trade.post("goods_receipt", partner: nil, items: [
                trade.item(quantity: "100", price: "1"), trade.item(batch: fresh, quantity: "100", price: "1"),
                trade.item(article: trade.fertiliser, batch: trade.fertiliserBatch, quantity: "100", price: "1"),
                trade.item(article: psm, batch: psmBatch, quantity: "100", price: "30"),
            ])
            #expect(receipt.status == .created, "a receipt takes batches in whatever status: \(receipt.text)")

            func refusal(_ item: String) async throws -> String? {
                let sale = try await trade.post("sale", partner: trade.customer, items: [item])
                guard sale.status == .unprocessableContent, sale.invalidParamNames == ["items[0].batchId"] else { return nil }
                return ((sale.object["invalidParams"] as? [[String: Any]])?.first?["reason"] as? String)
            }
            #expect(try await refusal(trade.item(batch: fresh, quantity: "1", price: "1"))?.contains("TOB-2026-02 may not move: untested") == true)
            try await change(client, trade, trade.seedBatch, to: "blocked")
            #expect(try await refusal(trade.item(quantity: "1", price: "1"))?.contains("TOB-2026-01 may not move: blocked") == true)
            try await change(client, trade, trade.fertiliserBatch, to: "recalled")
            #expect(try await refusal(trade.item(article: trade.fertiliser, batch: trade.fertiliserBatch, quantity: "1", price: "1"))?
                .contains("KAS-0815 may not move: recalled") == true)
            // The register says the approval ended, though the article's own date is later.
            let put = try await trade.send(
                .put, "/api/v1/compliance/psm-approvals/024567-00", #"{"holder": "BASF SE", "expiresOn": "2026-06-30", "articleIds": ["\#(psm)"]}"#)
            #expect(put.status == .created, "\(put.text)")
            #expect(try await refusal(trade.item(article: psm, batch: psmBatch, quantity: "1", price: "50"))?
                .contains("approval_expired, PSM approval 024567-00 expired on 2026-06-30") == true)
            let prolonged = try await trade.send(.put, "/api/v1/compliance/psm-approvals/024567-00", #"{"holder": "BASF SE", "expiresOn": "2027-06-30"}"#)
            #expect(prolonged.status == .ok && prolonged.object["version"] as? Int == 2)
            #expect(try await trade.post("sale", partner: trade.customer, items: [trade.item(article: psm, batch: psmBatch, quantity: "1", price: "50")]).status == .created)
        }
    }

    @Test func aSaleRightAfterAStatusChangeFollowsTheNewStatus() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "1000", price: "1")])
            for round in 0..<10 {
                try await change(client, trade, trade.seedBatch, to: "blocked", reason: "Runde \(round): Befund")
                #expect(try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]).status == .unprocessableContent)
                try await change(client, trade, trade.seedBatch, to: "released", reason: "Runde \(round): Nachprüfung bestanden")
                #expect(try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]).status == .created)
            }
            // Sales racing a block: once the block is answered, not one more sale gets through.
            let racing = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<20 { group.addTask { _ = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]) } }
                    try await group.waitForAll()
                }
            }
            try await change(client, trade, trade.seedBatch, to: "blocked", reason: "Salmonellenbefund")
            let after = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { Int(try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]).status.code) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await racing.value
            #expect(after == Array(repeating: 422, count: 20))
        }
    }

    @Test func transitionsFollowTheRulesAndEveryStepIsKept() async throws {
        try await IdentityWorld.with { client, world in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let path = "/api/v1/compliance/batches/\(trade.seedBatch)"
            try await change(client, trade, trade.seedBatch, to: "conditional", reason: "nur für Futterzwecke")
            try await change(client, trade, trade.seedBatch, to: "recalled", reason: "Rückruf 2026-17")
            let again = try await trade.send(.post, path + "/status", #"{"status": "released", "reason": "Irrtum"}"#)
            #expect(again.status == .conflict, "a recall is final: \(again.text)")
            let bad = try await trade.send(.post, path + "/status", #"{"status": "approved", "reason": " ", "extra": 1}"#)
            #expect(bad.status == .badRequest)
            let detail = try await trade.get(path)
            #expect(detail["status"] as? String == "recalled" && detail["version"] as? Int == 3)
            let steps = (detail["history"] as? [[String: Any]] ?? []).map { "\($0["from"] as? String ?? "-")>\($0["to"] as? String ?? "?")" }
            #expect(steps == ["->released", "released>conditional", "conditional>recalled"])
            let recalled = try await trade.get("/api/v1/compliance/batches?status=recalled")["data"] as? [[String: Any]] ?? []
            #expect(recalled.map { $0["batchId"] as? String } == [trade.seedBatch])
            // Another tenant sees nothing of it, and a warehouse worker may look but not decide.
            let other = try await client.tokens("admin@sued.example").access_token
            let foreign = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(other)"])
            #expect(foreign.status == .notFound)
            _ = try await world.addUser("lager@nord.example", roles: ["warehouse"])
            let worker = try await client.tokens("lager@nord.example").access_token
            #expect(try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(worker)"]).status == .ok)
            let decide = try await client.execute(
                uri: path + "/status", method: .post, headers: [.authorization: "Bearer \(worker)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"status": "blocked", "reason": "x"}"#))
            #expect(decide.status == .forbidden)
        }
    }

    @Test func batchesAnnouncedByTheTransactionsServiceAreKnownByNumberAndAwaitTesting() async throws {
        try await IdentityWorld.with(background: true) { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let article = try await client.created(
                "/api/v1/articles", token: token, #"{"sku": "MLF-18", "name": "Milchleistungsfutter", "category": "feed", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as! String
            let batch = try await client.created("/api/v1/batches", token: token, #"{"articleId": "\#(article)", "batchNumber": "MLF-2026-33"}"#)["id"] as! String
            var known: [String: Any] = [:]
            for _ in 0..<100 where known["batchNumber"] == nil {
                let response = try await client.execute(uri: "/api/v1/compliance/batches/\(batch)", method: .get, headers: [.authorization: "Bearer \(token)"])
                if response.status == .ok { known = response.object } else { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(known["batchNumber"] as? String == "MLF-2026-33")
            #expect(known["articleId"] as? String == article)
            #expect(known["status"] as? String == "in_testing")
        }
    }

    @Test func aTransactionsServiceElsewhereAsksTheGateOverTheMeshAndIsRefusedWithoutAnAnswer() async throws {
        try await IdentityWorld.with { client, world in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            try await change(client, trade, trade.seedBatch, to: "blocked")
            let compliance = try #require(world.modules.compactMap { $0 as? ComplianceServiceModule }.first)
            let router = Router(context: ServiceContext.self)
            compliance.addRoutes(to: router)
            let mesh = LocalServiceClient(service: .compliance, router: router, logger: TestDatabase.logger)
            let remote = RemoteBatchClearance { mesh }
            let sale = [
                BatchMovement(articleID: EntityID(trade.seed)!, batchID: EntityID(trade.seedBatch)!, date: "2026-11-25"),
                BatchMovement(articleID: EntityID(trade.fertiliser)!, batchID: EntityID(trade.fertiliserBatch)!, date: "2026-11-25"),
            ]
            let refusals = try await remote.refusals(for: sale, tenant: world.tenantA)
            #expect(refusals.map(\.batchID.description) == [trade.seedBatch] && refusals.map(\.reason) == [.blocked])
            // Another tenant's view: the same batch ID is unknown there, so untested.
            #expect(try await remote.refusals(for: sale, tenant: world.tenantB).map(\.reason) == [.untested, .untested])
            // No compliance service behind the mesh: the posting is refused, never waved through.
            let nowhere = LocalServiceClient(service: .compliance, router: Router(context: ServiceContext.self), logger: TestDatabase.logger)
            await #expect(throws: Problem.self) { try await RemoteBatchClearance { nowhere }.refusals(for: sale, tenant: world.tenantA) }
        }
    }

    private func change(_ client: any TestClientProtocol, _ trade: Trade, _ batch: String, to status: String, reason: String = "Laborbefund") async throws {
        let response = try await trade.send(.post, "/api/v1/compliance/batches/\(batch)/status", #"{"status": "\#(status)", "reason": "\#(reason)"}"#)
        #expect(response.status == .ok, "\(status): \(response.text)")
    }
}
