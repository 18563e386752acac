import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Traceability built from the transactions service's events: three generations of batches,
/// forward to the customers, backward to the supplier, and the recall report.
@Suite struct TraceTests {
    @Test func aTraceFollowsThreeGenerationsForwardAndBackwardAndTheRecallReportNamesEveryCustomer() async throws {
        try await IdentityWorld.with(background: true) { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            func article(_ sku: String, _ name: String, _ category: String) async throws -> String {
                try await client.created(
                    "/api/v1/articles", token: trade.token,
                    #"{"sku": "\#(sku)", "name": "\#(name)", "category": "\#(category)", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as! String
            }
            func batch(_ article: String, _ number: String, from predecessors: [String] = []) async throws -> String {
                let list = predecessors.map { "\"\($0)\"" }.joined(separator: ", ")
                let id = try await client.created(
                    "/api/v1/batches", token: trade.token, #"{"articleId": "\#(article)", "batchNumber": "\#(number)", "predecessors": [\#(list)]}"#)["id"] as! String
                try await client.release(id, token: trade.token)
                return id
            }
            func customer(_ name: String, _ city: String) async throws -> String {
                try await client.created(
                    "/api/v1/partners", token: trade.token, #"{"name": "\#(name)", "roles": ["customer"], "address": {"city": "\#(city)", "country": "DE"}}"#)["id"] as! String
            }
            func posted(_ kind: String, _ partner: String?, _ items: [String]) async throws -> String {
                let response = try await trade.post(kind, partner: partner, items: items)
                #expect(response.status == .created, "\(kind): \(response.text)")
                return response.object["id"] as? String ?? ""
            }
            func item(_ article: String, _ batch: String, _ quantity: String, role: String? = nil) -> String {
                #"{"articleId": "\#(article)", "batchId": "\#(batch)", "locationId": "\#(trade.location)", "quantity": "\#(quantity)", "unitPrice": "1"\#(role.map { #", "role": "\#($0)""# } ?? "")}"#
            }
            let wheat = try await article("WEIZEN", "Futterweizen", "grain")
            let feed = try await article("MLF", "Milchleistungsfutter", "feed")
            let mineral = try await article("MINFU", "Mineralfutter", "feed")
            let w1 = try await batch(wheat, "W-1")
            let x = try await batch(wheat, "X-9")
            let f1 = try await batch(feed, "F-1")
            let f2 = try await batch(feed, "F-2", from: [f1])  // mixed from F-1, recorded as its predecessor
            let m3 = try await batch(mineral, "M-3")
            let meyer = trade.customer
            let schulte = try await customer("Milchviehbetrieb Schulte", "Bad Bevensen")
            let heide = try await customer("Ackerbau Heide KG", "Lüneburg")
            let other = try await customer("Hof Anders", "Celle")

            _ = try await posted("purchase", trade.supplier, [item(wheat, w1, "1000"), item(wheat, x, "100")])
            _ = try await posted("production", nil, [item(wheat, w1, "400", role: "input"), item(feed, f1, "400", role: "output")])
            _ = try await posted("goods_receipt", nil, [item(feed, f2, "300")])
            _ = try await posted("production", nil, [item(feed, f2, "100", role: "input"), item(mineral, m3, "100", role: "output")])
            _ = try await posted("sale", meyer, [item(wheat, w1, "50")])
            _ = try await posted("sale", schulte, [item(feed, f1, "20")])
            _ = try await posted("sale", meyer, [item(feed, f2, "30"), item(feed, f2, "5")])
            _ = try await posted("sale", heide, [item(mineral, m3, "10")])
            let cancelled = try await posted("sale", schulte, [item(mineral, m3, "7")])
            #expect(try await trade.send(.post, "/api/v1/transactions/\(cancelled)/reverse", "{}").status == .created)
            _ = try await posted("sale", other, [item(wheat, x, "10")])

            // The events arrive through the outbox relay; wait until the last sale is traced.
            var forward: [String: Any] = [:]
            for _ in 0..<200 {
                forward = try await trade.get("/api/v1/compliance/batches/\(w1)/trace")
                if (forward["movements"] as? [[String: Any]])?.count == 4 { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let generations = (forward["batches"] as? [[String: Any]] ?? []).map { "\($0["batchNumber"] as? String ?? "?"):\($0["generation"] as? Int ?? -1)" }
            #expect(Set(generations) == ["W-1:0", "F-1:1", "F-2:2", "M-3:3"])
            let deliveries = (forward["movements"] as? [[String: Any]] ?? []).map {
                "\($0["partnerName"] as? String ?? "?") \($0["batchNumber"] as? String ?? "?") \($0["quantity"] as? String ?? "?")"
            }
            #expect(Set(deliveries) == ["Hof Meyer GbR W-1 50", "Milchviehbetrieb Schulte F-1 20", "Hof Meyer GbR F-2 35", "Ackerbau Heide KG M-3 10"])
            #expect(forward["complete"] as? Bool == true)

            let backward = try await trade.get("/api/v1/compliance/batches/\(m3)/trace?direction=backward")
            let ancestors = (backward["batches"] as? [[String: Any]] ?? []).map { "\($0["batchNumber"] as? String ?? "?"):\($0["generation"] as? Int ?? -1)" }
            #expect(Set(ancestors) == ["M-3:0", "F-2:1", "F-1:2", "W-1:3"])
            let receipts = (backward["movements"] as? [[String: Any]] ?? []).map { "\($0["kind"] as? String ?? "?") \($0["batchNumber"] as? String ?? "?")" }
            #expect(Set(receipts) == ["purchase W-1", "goods_receipt F-2"])

            let report = try await trade.get("/api/v1/compliance/batches/\(w1)/recall-report")
            let customers = (report["customers"] as? [[String: Any]] ?? []).map { "\($0["name"] as? String ?? "?"):\(($0["deliveries"] as? [Any])?.count ?? 0)" }
            #expect(customers == ["Ackerbau Heide KG:1", "Hof Meyer GbR:2", "Milchviehbetrieb Schulte:1"])
            let csv = try await client.execute(
                uri: "/api/v1/compliance/batches/\(w1)/recall-report?format=csv", method: .get, headers: [.authorization: "Bearer \(trade.token)"])
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 5 && lines[0].hasPrefix("customer;partner_id;city"))
            #expect(lines.contains { $0.hasPrefix("Hof Meyer GbR;") && $0.contains(";F-2;") && $0.hasSuffix(";35;kg") })
        }
    }
}
