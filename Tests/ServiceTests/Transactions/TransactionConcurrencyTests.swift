import ERPKernel
import Foundation
import HummingbirdTesting
import Testing

/// Many writers at once: stock stays exact, posting numbers stay gapless, keys apply once.
@Suite struct TransactionConcurrencyTests {
    @Test func manyParallelSalesOfOneBatchNeverOversellAndNumberWithoutGaps() async throws {
        // About correctness, not speed: with the whole suite running beside it on PostgreSQL, the
        // burst of 150 posts can outlast the default 5 s deadline of the in-process call.
        try await IdentityWorld.with(["upstreamTimeoutMs": "30000"]) { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "100", price: "1")])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<150 {
                    group.addTask { Int(try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]).status.code) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 100, "statuses: \(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            #expect(statuses.filter { $0 == 422 }.count == 50)
            let stock = try await trade.get("/api/v1/stock?articleId=\(trade.seed)")["data"] as! [[String: Any]]
            #expect(stock.isEmpty, "everything sold, nothing more: \(stock)")
            var numbers: [Int] = []
            var cursor: String?
            repeat {
                let page = try await trade.get("/api/v1/journal-entries?limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""))
                numbers += (page["data"] as! [[String: Any]]).map { $0["number"] as! Int }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(numbers.sorted() == Array(1...101))
            #expect(try await trade.balances().values.reduce(0, +) == 0)
        }
    }

    @Test func theSameIdempotencyKeyAppliesOnceAndRefusesAnotherBody() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let body = trade.transactionJSON("goods_receipt", partner: nil, items: [trade.item(quantity: "7", price: "1")])
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await trade.send(.post, "/api/v1/transactions", body, key: "import-4711")
                        return (Int(response.status.code), response.object["id"] as? String)
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            // Answers are the created transaction (first or replayed) or 409 while it ran; one ID only.
            #expect(answers.allSatisfy { $0.0 == 201 || $0.0 == 409 })
            #expect(Set(answers.compactMap(\.1)).count == 1)
            let replay = try await trade.send(.post, "/api/v1/transactions", body, key: "import-4711")
            #expect(replay.status == .created)
            #expect(replay.headers[.init("Idempotent-Replayed")!] == "true")
            let listed = try await trade.get("/api/v1/transactions?kind=goods_receipt")["data"] as! [[String: Any]]
            #expect(listed.count == 1)
            let otherBody = trade.transactionJSON("goods_receipt", partner: nil, items: [trade.item(quantity: "8", price: "1")])
            let misuse = try await trade.send(.post, "/api/v1/transactions", otherBody, key: "import-4711")
            #expect(misuse.status == .unprocessableContent)
            #expect(misuse.object["code"] as? String == "idempotency_key_reused")
        }
    }

    @Test func aRetryIsAnsweredWithTheFirstAnswerEvenWhenARuleWouldNowRefuseIt() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "1", price: "1")])
            let sale = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")], key: "last-bag")
            #expect(sale.status == .created)
            // The stock is gone now, so posting the sale again would be refused; the retry is not a new sale.
            let retry = try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")], key: "last-bag")
            #expect(retry.status == .created)
            #expect(retry.object["id"] as? String == sale.object["id"] as? String)
            let entries = try await trade.get("/api/v1/journal-entries")["data"] as! [[String: Any]]
            #expect(entries.map { $0["number"] as? Int } == [1, 2], "the undone repeat gave its posting number back")
        }
    }

    @Test func aBulkRequestAcceptsAndRejectsEachItemAndReplaysUnderItsKey() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let items = [
                trade.transactionJSON("goods_receipt", partner: nil, items: [trade.item(quantity: "10", price: "1")]),
                trade.transactionJSON("goods_issue", partner: nil, items: [trade.item(article: trade.fertiliser, batch: trade.fertiliserBatch, quantity: "1")]),
                trade.transactionJSON("goods_receipt", partner: nil, items: [trade.item(article: trade.fertiliser, batch: trade.fertiliserBatch, quantity: "3", price: "4")]),
            ]
            let body = #"{"transactions": [\#(items.joined(separator: ", "))]}"#
            let first = try await trade.send(.post, "/api/v1/transactions/bulk", body, key: "bulk-1")
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.object["accepted"] as? Int == 2)
            let results = first.object["results"] as! [[String: Any]]
            #expect(results.map { $0["status"] as? Int } == [201, 422, 201])
            // In order: the issue came before the receipt it needed, so it was refused alone.
            #expect((results[1]["problem"] as? [String: Any])?["code"] as? String == "transaction_rejected")
            // A retry replays what was accepted and processes the refused item again, now after the receipt.
            let again = try await trade.send(.post, "/api/v1/transactions/bulk", body, key: "bulk-1")
            let ids = { (response: TestResponse) in
                (response.object["results"] as! [[String: Any]]).map { ($0["transaction"] as? [String: Any])?["id"] as? String }
            }
            let firstIDs = ids(first)
            let retriedIDs = ids(again)
            #expect(retriedIDs[0] == firstIDs[0] && retriedIDs[2] == firstIDs[2])
            #expect(retriedIDs[1] != nil)
            let listed = try await trade.get("/api/v1/transactions?status=posted")["data"] as! [[String: Any]]
            #expect(listed.count == 3)
        }
    }
}
