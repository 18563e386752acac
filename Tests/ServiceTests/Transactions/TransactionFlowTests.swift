import ERPKernel
import Foundation
import HummingbirdTesting
import Testing

/// Business transactions through the API of an embedded process: posting, the books, payments,
/// reversal and periods.
@Suite struct TransactionFlowTests {
    @Test func aPurchaseAndASaleMoveStockAndPostBalancedNumberedEntries() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let purchase = try await trade.post("purchase", partner: trade.supplier, items: [trade.item(quantity: "1000", price: "0.50")])
            #expect(purchase.status == .created, "\(purchase.text)")
            #expect(purchase.object["status"] as? String == "posted")
            let sale = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "200", price: "0.80")])
            #expect(sale.status == .created, "\(sale.text)")
            #expect((sale.object["totals"] as? [String: Int]) == ["netMinor": 16000, "taxMinor": 1120, "grossMinor": 17120])

            let stock = try await trade.get("/api/v1/stock?articleId=\(trade.seed)")["data"] as! [[String: Any]]
            #expect(stock.map { $0["quantity"] as? String } == ["800"])
            // Inventory 500.00 in, 100.00 out at average cost; input VAT 7 % of 500.00; output VAT 11.20.
            let balances = try await trade.balances()
            #expect(balances.values.reduce(0, +) == 0)
            #expect(balances == ["1400": 17120, "1571": 3500, "1600": -53500, "1771": -1120, "3200": 10000, "3980": 40000, "8300": -16000])
            let entries = try await trade.get("/api/v1/journal-entries?fiscalYear=2026")["data"] as! [[String: Any]]
            #expect(entries.map { $0["number"] as? Int } == [1, 2])
            let receivables = try await trade.get("/api/v1/open-items?partnerId=\(trade.customer)")["data"] as! [[String: Any]]
            #expect(receivables.map { $0["openMinor"] as? Int } == [17120])
            #expect(receivables.first?["dueDate"] as? String == "2026-12-09")
        }
    }

    @Test func aPartnerChangeTakesEffectOnTheNextSale() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "100", price: "1")])
            let bad = try await trade.send(.patch, "/api/v1/partners/\(trade.customer)", #"{"vatId": "12", "paymentTermsDays": 400, "colour": 1}"#)
            #expect(bad.status == .badRequest)
            let changed = try await trade.send(
                .patch, "/api/v1/partners/\(trade.customer)", #"{"paymentTermsDays": 30, "creditLimitMinor": 5000, "address": {"city": "Celle", "country": "DE"}}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.object["version"] as? Int == 2)
            #expect((changed.object["address"] as? [String: String])?["city"] == "Celle")
            // 40.00 net + 7 % is within 50.00; the next 10.00 would pass the new limit.
            let sale = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "4", price: "10")])
            #expect(sale.status == .created, "\(sale.text)")
            let open = try await trade.get("/api/v1/open-items?partnerId=\(trade.customer)")["data"] as! [[String: Any]]
            #expect(open.first?["dueDate"] as? String == "2026-12-25")
            let over = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "10")])
            #expect(over.status == .unprocessableContent, "\(over.text)")
        }
    }

    @Test func paymentsClearReceivablesPartlyThenFully() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "100", price: "1")])
            _ = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "10", price: "10")])  // 107.00 gross
            let partial = try await trade.send(.post, "/api/v1/payments", #"{"partnerId": "\#(trade.customer)", "direction": "incoming", "date": "2026-11-26", "amountMinor": 7000}"#)
            #expect(partial.status == .created, "\(partial.text)")
            var open = try await trade.get("/api/v1/open-items?partnerId=\(trade.customer)")["data"] as! [[String: Any]]
            #expect(open.map { $0["openMinor"] as? Int } == [3700])
            let tooMuch = try await trade.send(.post, "/api/v1/payments", #"{"partnerId": "\#(trade.customer)", "direction": "incoming", "date": "2026-11-26", "amountMinor": 5000}"#)
            #expect(tooMuch.status == .unprocessableContent)
            #expect(tooMuch.invalidParamNames == ["amountMinor"])
            let rest = try await trade.send(.post, "/api/v1/payments", #"{"partnerId": "\#(trade.customer)", "direction": "incoming", "date": "2026-11-27", "amountMinor": 3700}"#)
            #expect(rest.status == .created)
            open = try await trade.get("/api/v1/open-items?partnerId=\(trade.customer)")["data"] as! [[String: Any]]
            #expect(open.isEmpty)
            let balances = try await trade.balances()
            #expect(balances["1400"] == nil || balances["1400"] == 0)
            #expect(balances["1200"] == 10700)
        }
    }

    @Test func aReversalMirrorsStockAndEntriesAndCannotBeRepeated() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "50", price: "2")])
            let before = try await trade.balances()
            let sale = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "20", price: "3")])
            let id = sale.object["id"] as! String
            let storno = try await trade.send(.post, "/api/v1/transactions/\(id)/reverse", #"{"date": "2026-11-25", "reason": "falscher Kunde"}"#)
            #expect(storno.status == .created, "\(storno.text)")
            #expect(storno.object["reversesId"] as? String == id)
            #expect(try await trade.get("/api/v1/transactions/\(id)")["status"] as? String == "reversed")
            let stock = try await trade.get("/api/v1/stock?articleId=\(trade.seed)")["data"] as! [[String: Any]]
            #expect(stock.map { $0["quantity"] as? String } == ["50"])
            // Every account is back where it was; the entries stay (GoBD), numbered 1, 2, 3.
            #expect(try await trade.balances().filter { $0.value != 0 } == before.filter { $0.value != 0 })
            let entries = try await trade.get("/api/v1/journal-entries")["data"] as! [[String: Any]]
            #expect(entries.map { $0["number"] as? Int } == [1, 2, 3])
            let again = try await trade.send(.post, "/api/v1/transactions/\(id)/reverse", "{}")
            #expect(again.status == .unprocessableContent)
        }
    }

    @Test func aClosedPeriodRefusesPostingsAndALockedOneNeverReopens() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            #expect(try await trade.send(.patch, "/api/v1/fiscal-periods/2026-10", #"{"status": "closed"}"#).status == .ok)
            let late = try await trade.post("goods_receipt", partner: nil, date: "2026-10-31", items: [trade.item(quantity: "1", price: "1")])
            #expect(late.status == .unprocessableContent)
            #expect(late.invalidParamNames == ["date"])
            #expect(try await trade.send(.patch, "/api/v1/fiscal-periods/2026-10", #"{"status": "locked"}"#).status == .ok)
            let reopen = try await trade.send(.patch, "/api/v1/fiscal-periods/2026-10", #"{"status": "open"}"#)
            #expect(reopen.status == .conflict)
            let periods = try await trade.get("/api/v1/fiscal-periods?year=2026")["data"] as! [[String: Any]]
            #expect(periods.map { $0["period"] as? String } == ["2026-10"])
        }
    }

    @Test func aDraftIsPostedLaterOrRejectedWithItsReasons() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let draft = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "5", price: "1")], post: false)
            #expect(draft.object["status"] as? String == "draft")
            let id = draft.object["id"] as! String
            let refused = try await trade.send(.post, "/api/v1/transactions/\(id)/post", "")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.invalidParamNames == ["items[0].quantity"])
            let stored = try await trade.get("/api/v1/transactions/\(id)")
            #expect(stored["status"] as? String == "rejected")
            #expect(((stored["rejections"] as? [[String: Any]]) ?? []).count == 1)

            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "10", price: "1")])
            let second = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "5", price: "1")], post: false)
            let posted = try await trade.send(.post, "/api/v1/transactions/\(second.object["id"] as! String)/post", "")
            #expect(posted.status == .ok, "\(posted.text)")
            #expect(posted.object["status"] as? String == "posted")
        }
    }

    @Test func everyValidationErrorIsNamedInOneProblem() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let bad = try await trade.send(
                .post, "/api/v1/transactions",
                #"{"kind": "sale", "date": "2026-02-30", "currency": "USD", "items": [{"articleId": "\#(trade.seed)", "batchId": "\#(trade.seedBatch)", "locationId": "\#(trade.location)", "quantity": "1,5", "unitPrice": "-3", "taxCode": "DE16"}]}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            #expect(Set(bad.invalidParamNames) == ["date", "currency", "items[0].quantity", "items[0].unitPrice", "items[0].taxCode"])
            let unknownField = try await trade.send(.post, "/api/v1/transactions", #"{"kind": "sale", "date": "2026-11-25", "items": [], "pots": true}"#)
            #expect(unknownField.status == .badRequest)
            #expect(unknownField.invalidParamNames == ["pots"])
            let wrongType = try await trade.send(.post, "/api/v1/transactions", #"{"kind": "sale", "date": "2026-11-25", "items": [{"quantity": 5}]}"#)
            #expect(wrongType.status == .badRequest)
            let psmWithoutApproval = try await trade.send(.post, "/api/v1/articles", #"{"sku": "X-1", "name": "Herbizid", "category": "psm", "baseUnit": "l", "taxCode": "DE19"}"#)
            #expect(Set(psmWithoutApproval.invalidParamNames) == ["psmApprovalNumber", "psmApprovalExpiresOn"])
            let duplicate = try await trade.send(.post, "/api/v1/articles", #"{"sku": "WW-TOBAK", "name": "again", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
            #expect(duplicate.status == .conflict)
        }
    }

    @Test func tenantsSeeOnlyTheirOwnBooks() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let sale = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "10", price: "1")])
            let other = try await client.tokens("admin@sued.example").access_token
            #expect(try await client.get("/api/v1/transactions/\(sale.object["id"] as! String)", token: other).status == .notFound)
            #expect(try await client.get("/api/v1/articles/\(trade.seed)", token: other).status == .notFound)
            let foreign = Trade(client: client, token: other, location: trade.location, otherLocation: trade.otherLocation, seed: trade.seed,
                                seedBatch: trade.seedBatch, fertiliser: trade.fertiliser, fertiliserBatch: trade.fertiliserBatch,
                                customer: trade.customer, supplier: trade.supplier)
            let stolen = try await foreign.post("goods_issue", partner: nil, items: [foreign.item(quantity: "1")])
            #expect(stolen.status == .unprocessableContent)
            #expect(Set(stolen.invalidParamNames) == ["items[0].articleId", "items[0].batchId", "items[0].locationId"])
        }
    }

    @Test func readsCarryAnETagAndAnswerNotModified() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let trade = try await Trade.setUp(client, token: token)
            let first = try await client.get("/api/v1/articles/\(trade.seed)", token: token)
            let etag = try #require(first.headers[.eTag])
            let second = try await client.execute(
                uri: "/api/v1/articles/\(trade.seed)", method: .get, headers: [.authorization: "Bearer \(token)", .ifNoneMatch: etag])
            #expect(second.status == .notModified)
        }
    }
}
