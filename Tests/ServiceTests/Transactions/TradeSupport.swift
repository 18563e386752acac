import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Master data of a small trade set up through the API, and calls for the transaction tests.
struct Trade: Sendable {
    let client: any TestClientProtocol
    let token: String
    let location: String
    let otherLocation: String
    let seed: String
    let seedBatch: String
    let fertiliser: String
    let fertiliserBatch: String
    let customer: String
    let supplier: String

    static func setUp(_ client: any TestClientProtocol, token: String, creditLimitMinor: Int? = nil) async throws -> Trade {
        let warehouse = try await client.created(
            "/api/v1/warehouses", token: token,
            #"{"code": "LAGER-1", "name": "Hauptlager", "locations": [{"code": "SILO-1", "kind": "silo"}, {"code": "HALLE-A", "kind": "bin"}]}"#)
        let locations = (warehouse["locations"] as! [[String: Any]]).map { $0["id"] as! String }
        let seed = try await client.created(
            "/api/v1/articles", token: token, #"{"sku": "WW-TOBAK", "name": "Winterweizen Tobak Z-Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as! String
        let fertiliser = try await client.created(
            "/api/v1/articles", token: token, #"{"sku": "KAS-27", "name": "Kalkammonsalpeter 27 % N", "category": "fertiliser", "baseUnit": "kg", "taxCode": "DE19"}"#)["id"] as! String
        let seedBatch = try await client.created("/api/v1/batches", token: token, #"{"articleId": "\#(seed)", "batchNumber": "TOB-2026-01"}"#)["id"] as! String
        let fertiliserBatch = try await client.created("/api/v1/batches", token: token, #"{"articleId": "\#(fertiliser)", "batchNumber": "KAS-0815"}"#)["id"] as! String
        for batch in [seedBatch, fertiliserBatch] { try await client.release(batch, token: token) }
        let limit = creditLimitMinor.map { #", "creditLimitMinor": \#($0)"# } ?? ""
        let customer = try await client.created(
            "/api/v1/partners", token: token,
            #"{"name": "Hof Meyer GbR", "roles": ["customer"], "address": {"city": "Uelzen", "country": "DE"}, "paymentTermsDays": 14\#(limit)}"#)["id"] as! String
        let supplier = try await client.created(
            "/api/v1/partners", token: token, #"{"name": "Saatzucht Nord", "roles": ["supplier"], "address": {"country": "DE"}, "vatId": "DE123456789"}"#)["id"] as! String
        return Trade(
            client: client, token: token, location: locations[0], otherLocation: locations[1], seed: seed, seedBatch: seedBatch,
            fertiliser: fertiliser, fertiliserBatch: fertiliserBatch, customer: customer, supplier: supplier)
    }

    func item(article: String? = nil, batch: String? = nil, quantity: String, price: String? = nil, location: String? = nil, to: String? = nil) -> String {
        var fields = [
            #""articleId": "\#(article ?? seed)""#, #""batchId": "\#(batch ?? seedBatch)""#,
            #""locationId": "\#(location ?? self.location)""#, #""quantity": "\#(quantity)""#,
        ]
        if let price { fields.append(#""unitPrice": "\#(price)""#) }
        if let to { fields.append(#""toLocationId": "\#(to)""#) }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    func transactionJSON(_ kind: String, partner: String?, date: String = "2026-11-25", items: [String], post: Bool = true) -> String {
        let partnerField = partner.map { #""partnerId": "\#($0)", "# } ?? ""
        return #"{"kind": "\#(kind)", \#(partnerField)"date": "\#(date)", "post": \#(post), "items": [\#(items.joined(separator: ", "))]}"#
    }

    func post(_ kind: String, partner: String?, date: String = "2026-11-25", items: [String], key: String? = nil, post: Bool = true) async throws -> TestResponse {
        try await send(.post, "/api/v1/transactions", transactionJSON(kind, partner: partner, date: date, items: items, post: post), key: key)
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, _ json: String, key: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String) async throws -> [String: Any] {
        let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
        #expect(response.status == .ok, "GET \(uri): \(response.text)")
        return response.object
    }

    /// Account balances (debit minus credit) of the trial balance.
    func balances(year: Int = 2026) async throws -> [String: Int] {
        let trial = try await get("/api/v1/ledger/trial-balance?fiscalYear=\(year)")
        return Dictionary(uniqueKeysWithValues: (trial["accounts"] as! [[String: Any]]).map { ($0["account"] as! String, $0["balanceMinor"] as! Int) })
    }
}

extension TestClientProtocol {
    /// Quality control releases the batch, so that it may be sold.
    func release(_ batch: String, token: String) async throws {
        let response = try await execute(
            uri: "/api/v1/compliance/batches/\(batch)/status", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(string: #"{"status": "released", "reason": "Wareneingangsprüfung bestanden"}"#))
        #expect(response.status == .ok, "releasing \(batch): \(response.text)")
    }

    /// POSTs JSON and expects 201; returns the created object.
    func created(_ uri: String, token: String, _ json: String) async throws -> [String: Any] {
        let response = try await execute(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: json))
        #expect(response.status == .created, "POST \(uri): \(response.text)")
        return response.object
    }
}

extension TestResponse {
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:] }
    var invalidParamNames: [String] { ((object["invalidParams"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } }
}
