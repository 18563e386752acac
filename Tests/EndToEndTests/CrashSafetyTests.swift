import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// `kill -9` under load: after a restart, clients retry with the same Idempotency-Keys and every
/// acknowledged sale is there exactly once; unacknowledged ones are posted once by the retry.
@Suite(.serialized) struct CrashSafetyTests {
    @Test func killedMidLoadEveryAcknowledgedTransactionIsPresentExactlyOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-crash-\(UUID().uuidString)").path
        let first = try await ServerProcess.start(["--demo", "--bcrypt-cost", "4"], dataDirectory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = try await login(client, first.baseURL)
        let setup = try await Setup.create(client, first.baseURL, token: token)

        let total = 400
        let acknowledged = Acknowledged()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: total, by: 16) {
                        guard let response = try? await send(client, first.baseURL + "/api/v1/transactions", token: token, key: "crash-\(index)", body: setup.sale),
                            response.status == 201, let id = try? jsonObject(response.body)["id"] as? String
                        else { return }  // the server is gone
                        let count = acknowledged.record(index, id)
                        if count == 120 { first.signal(SIGKILL) }
                    }
                }
            }
        }
        _ = try await first.waitForExit()
        let before = acknowledged.all
        #expect(before.count >= 120)

        let second = try await ServerProcess.start([], dataDirectory: directory)
        let secondToken = try await login(client, second.baseURL)
        var ids: [Int: String] = [:]
        for index in 0..<total {
            let response = try await send(client, second.baseURL + "/api/v1/transactions", token: secondToken, key: "crash-\(index)", body: setup.sale)
            #expect(response.status == 201, "retry \(index): \(response.body)")
            ids[index] = try jsonObject(response.body)["id"] as? String
        }
        for (index, id) in before { #expect(ids[index] == id, "acknowledged sale \(index) answered with another transaction after the restart") }
        /// One field of every item of a list, following its cursor to the end.
        func all(_ path: String, _ field: String) async throws -> [String] {
            var values: [String] = []
            var cursor: String?
            repeat {
                let page = try jsonObject(try await call(
                    client, second.baseURL + path + "&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""),
                    headers: [("Authorization", "Bearer \(secondToken)")]).body)
                values += (page["data"] as? [[String: Any]] ?? []).compactMap { $0[field] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            return values
        }
        let listed = try await all("/api/v1/transactions?kind=sale&partnerId=\(setup.customer)", "id")
        #expect(listed.count == total)
        #expect(Set(listed) == Set(ids.values.compactMap { $0 }))
        // The audit service was killed with the rest: the postings it had not taken yet waited in
        // the outbox, and each is in the trail exactly once.
        var audited: [String] = []
        for _ in 0..<300 {
            audited = try await all("/api/v1/audit/events?action=transactions.transaction.posted", "resourceId")
            if Set(audited).isSuperset(of: listed) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(audited).isSuperset(of: listed), "\(Set(listed).subtracting(audited).count) sales missing from the trail")
        #expect(Set(audited).count == audited.count, "a posting is in the trail twice")
        let verdict = try jsonObject(try await call(client, second.baseURL + "/api/v1/audit/verify", headers: [("Authorization", "Bearer \(secondToken)")]).body)
        #expect(verdict["valid"] as? Bool == true, "\(verdict)")
        await second.stop()
        try? await client.shutdown()
    }

    /// The sales the server acknowledged (201) before it was killed.
    final class Acknowledged: Sendable {
        private let ids = Mutex<[Int: String]>([:])
        func record(_ index: Int, _ id: String) -> Int { ids.withLock { $0[index] = id; return $0.count } }
        var all: [Int: String] { ids.withLock { $0 } }
    }

    struct Setup {
        let customer: String
        let sale: String

        static func create(_ client: HTTPClient, _ base: String, token: String) async throws -> Setup {
            func created(_ path: String, _ body: String) async throws -> [String: Any] {
                let response = try await send(client, base + path, token: token, key: nil, body: body)
                #expect(response.status == 201, "\(path): \(response.body)")
                return try jsonObject(response.body)
            }
            let warehouse = try await created("/api/v1/warehouses", #"{"code": "CRASH", "name": "Crash", "locations": [{"code": "C1", "kind": "bin"}]}"#)
            let location = ((warehouse["locations"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let article = try await created("/api/v1/articles", #"{"sku": "CRASH-1", "name": "Futter", "category": "feed", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as? String ?? ""
            let batch = try await created("/api/v1/batches", #"{"articleId": "\#(article)", "batchNumber": "C-1"}"#)["id"] as? String ?? ""
            let release = try await send(
                client, base + "/api/v1/compliance/batches/\(batch)/status", token: token, key: nil,
                body: #"{"status": "released", "reason": "Wareneingangsprüfung bestanden"}"#)
            #expect(release.status == 200, "release: \(release.body)")
            let customer = try await created("/api/v1/partners", #"{"name": "Hof", "roles": ["customer"], "address": {"country": "DE"}}"#)["id"] as? String ?? ""
            let item = #"{"articleId": "\#(article)", "batchId": "\#(batch)", "locationId": "\#(location)", "quantity": "%@", "unitPrice": "0.50"}"#
            _ = try await created("/api/v1/transactions", #"{"kind": "goods_receipt", "date": "2026-11-25", "items": [\#(item.replacingOccurrences(of: "%@", with: "100000"))]}"#)
            let sale = #"{"kind": "sale", "partnerId": "\#(customer)", "date": "2026-11-25", "items": [\#(item.replacingOccurrences(of: "%@", with: "1"))]}"#
            return Setup(customer: customer, sale: sale)
        }
    }
}

func login(_ client: HTTPClient, _ base: String) async throws -> String {
    let response = try await send(client, base + "/api/v1/auth/login", token: nil, key: nil, body: #"{"email": "admin@demo.local", "password": "demo-passwort-123"}"#)
    return try #require(try jsonObject(response.body)["access_token"] as? String)
}

/// A JSON POST with an optional bearer token and Idempotency-Key.
func send(_ client: HTTPClient, _ url: String, token: String?, key: String?, body: String) async throws -> (status: Int, body: String) {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let key { request.headers.add(name: "Idempotency-Key", value: key) }
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await client.execute(request, timeout: .seconds(15))
    return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 22)))
}
