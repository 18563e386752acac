import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceRuntime
import Testing
@testable import ComplianceService

/// Batch checks against the tenant's rule sets, through the API of an embedded process.
@Suite struct BatchCheckTests {
    static let hygieneLog = #"{"cleaningDate": "2026-11-20", "responsiblePerson": "Q. Qualität", "measures": "Silo gereinigt, begast"}"#

    /// Passing, failing and missing data for each check type's default rules.
    static let cases: [(CheckType, passing: String, failing: String, missing: String, failedKeys: [String], missingKeys: [String])] = [
        (.qs,
         #""measurements": {"moisture": "10.5", "contamination": "0.05", "storage_temperature": "20"}, "documents": {"hygiene_log": \#(hygieneLog)}"#,
         #""measurements": {"moisture": "13.1", "contamination": "0.05", "storage_temperature": "20"}, "documents": {"hygiene_log": \#(hygieneLog)}"#,
         #""measurements": {"moisture": "9", "contamination": "0.1"}"#,
         ["moisture"], ["storage_temperature", "hygiene_log"]),
        (.gmpPlus,
         #""measurements": {"transport_temperature": "15", "transport_humidity": "60", "contamination": "0"}, "documents": {"haccp": {"plan": "HACCP-Plan 2026", "reviewedOn": "2026-10-01", "responsiblePerson": "Q."}, "hygiene_log": \#(hygieneLog)}"#,
         #""measurements": {"transport_temperature": "15", "transport_humidity": "60", "contamination": "0"}, "documents": {"haccp": {"plan": "HACCP-Plan 2026", "reviewedOn": " "}, "hygiene_log": \#(hygieneLog)}"#,
         #""measurements": {"transport_temperature": "20"}"#,
         ["haccp"], ["transport_humidity", "contamination", "haccp", "hygiene_log"]),
        (.eu,
         #""documents": {"certificate": {"issuer": "QS GmbH", "number": "QS-4711", "validUntil": "2027-12-31"}, "declaration": {"declaredBy": "Agravis", "date": "2026-11-01"}, "origin": {"supplier": "Agravis", "deliveryNote": "LS-99"}}"#,
         #""documents": {"certificate": {"issuer": "QS GmbH", "validUntil": "2027-12-31"}, "declaration": {"declaredBy": "Agravis", "date": "2026-11-01"}, "origin": {"supplier": "Agravis", "deliveryNote": "LS-99"}}"#,
         #""documents": {"certificate": {"issuer": "QS GmbH", "number": "QS-4711", "validUntil": "2027-12-31"}, "origin": {"supplier": "Agravis", "deliveryNote": "LS-99"}}"#,
         ["certificate"], ["declaration"]),
    ]

    @Test(arguments: 0..<3)
    func eachCheckTypeJudgesPassingFailingAndMissingData(_ index: Int) async throws {
        let (type, passing, failing, missing, failedKeys, missingKeys) = Self.cases[index]
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            func check(_ data: String) async throws -> [String: Any] {
                let response = try await trade.send(
                    .post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks",
                    #"{"checkType": "\#(type.rawValue)", "responsiblePerson": "Quirin Qualität", \#(data)}"#)
                #expect(response.status == .created, "\(response.text)")
                return response.object
            }
            func keys(_ result: [String: Any], _ outcome: String) -> [String] {
                (result["results"] as? [[String: Any]] ?? []).filter { $0["outcome"] as? String == outcome }.compactMap { $0["key"] as? String }
            }
            let passed = try await check(passing)
            #expect(passed["outcome"] as? String == "COMPLIANT")
            #expect(passed["ruleSetVersion"] as? Int == 1 && passed["responsiblePerson"] as? String == "Quirin Qualität")
            let failed = try await check(failing)
            #expect(failed["outcome"] as? String == "NON_COMPLIANT")
            #expect(keys(failed, "failed") == failedKeys)
            let incomplete = try await check(missing)
            #expect(incomplete["outcome"] as? String == "PARTIALLY_COMPLIANT")
            #expect(keys(incomplete, "missing") == missingKeys)
            // The signature is the SHA-256 of the result itself; anyone can recompute it.
            let stored = try await client.execute(uri: "/api/v1/compliance/checks/\(passed["id"] as! String)", method: .get, headers: [.authorization: "Bearer \(trade.token)"])
            let check = try JSONCoding.decoder.decode(BatchCheck.self, from: Data(stored.body.readableBytesView))
            #expect(try BatchCheckStore.contentHash(of: check) == check.contentHash && check.contentHash.count == 64)
        }
    }

    @Test func editingARuleSetLeavesEarlierResultsAsTheyWere() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let data = #""measurements": {"moisture": "13", "contamination": "0.05", "storage_temperature": "20"}, "documents": {"hygiene_log": \#(Self.hygieneLog)}"#
            let body = #"{"checkType": "qs", "responsiblePerson": "Q.", \#(data)}"#
            let first = try await trade.send(.post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks", body)
            #expect(first.object["outcome"] as? String == "NON_COMPLIANT")
            var rules = try await trade.get("/api/v1/compliance/rule-sets/qs")["rules"] as! [[String: Any]]
            rules[0]["maximum"] = "14"  // moisture: a drier grain is no longer required
            let edited = try await trade.send(
                .put, "/api/v1/compliance/rule-sets/qs",
                String(decoding: try JSONSerialization.data(withJSONObject: ["name": "QS Getreide (Hausregel)", "rules": rules]), as: UTF8.self))
            #expect(edited.status == .created && edited.object["version"] as? Int == 2, "\(edited.text)")
            let second = try await trade.send(.post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks", body)
            #expect(second.object["outcome"] as? String == "COMPLIANT" && second.object["ruleSetVersion"] as? Int == 2)
            let again = try await client.execute(uri: "/api/v1/compliance/checks/\(first.object["id"] as! String)", method: .get, headers: [.authorization: "Bearer \(trade.token)"])
            #expect(again.text == first.text, "a stored result never changes")
            let old = try await trade.get("/api/v1/compliance/rule-sets/qs?version=1")["rules"] as! [[String: Any]]
            #expect(old[0]["maximum"] as? String == "12")
            let history = try await trade.get("/api/v1/compliance/batches/\(trade.seedBatch)/checks")["data"] as! [[String: Any]]
            #expect(history.map { $0["ruleSetVersion"] as? Int } == [1, 2])
        }
    }

    @Test func aCheckThatSetsTheStatusStopsTheNextSale() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            _ = try await trade.post("goods_receipt", partner: nil, items: [trade.item(quantity: "100", price: "1")])
            let check = try await trade.send(
                .post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks",
                #"{"checkType": "qs", "responsiblePerson": "Q.", "measurements": {"contamination": "0.4"}, "applyStatus": true}"#)
            #expect(check.status == .created)
            let batch = try await trade.get("/api/v1/compliance/batches/\(trade.seedBatch)")
            #expect(batch["status"] as? String == "blocked")
            #expect((batch["reason"] as? String)?.hasSuffix("NON_COMPLIANT") == true)
            #expect(try await trade.post("sale", partner: trade.customer, items: [trade.item(quantity: "1", price: "2")]).status == .unprocessableContent)
            // A re-check that confirms the status is stored and leaves the batch as it is.
            let again = try await trade.send(
                .post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks",
                #"{"checkType": "qs", "responsiblePerson": "Q.", "measurements": {"contamination": "0.5"}, "applyStatus": true}"#)
            #expect(again.status == .created, "\(again.text)")
            #expect(try await trade.get("/api/v1/compliance/batches/\(trade.seedBatch)")["version"] as? Int == batch["version"] as? Int)
        }
    }

    @Test func badRulesAndUnknownValuesAreNamed() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let unknown = try await trade.send(
                .post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks",
                #"{"checkType": "qs", "responsiblePerson": "Q.", "measurements": {"moisure": "10"}}"#)
            #expect(unknown.status == .unprocessableContent && unknown.invalidParamNames == ["measurements.moisure"])
            let malformed = try await trade.send(
                .post, "/api/v1/compliance/batches/\(trade.seedBatch)/checks",
                #"{"checkType": "qs", "responsiblePerson": "Q.", "measurements": {"moisture": "10,5"}}"#)
            #expect(malformed.status == .badRequest && malformed.invalidParamNames == ["measurements.moisture"])
            let rules = try await trade.send(
                .put, "/api/v1/compliance/rule-sets/eu",
                #"{"name": "x", "rules": [{"key": "temp", "label": "T", "kind": "measurement", "severity": "major"}, {"key": "temp", "label": "T", "kind": "document", "severity": "major", "minimum": "1"}]}"#)
            #expect(rules.status == .badRequest)
            #expect(rules.invalidParamNames == ["rules[0].maximum", "rules[1].minimum"])
            let contradictory = try await trade.send(
                .put, "/api/v1/compliance/rule-sets/eu",
                #"{"name": "x", "rules": [{"key": "temp", "label": "T", "kind": "measurement", "severity": "major", "minimum": "5", "maximum": "2"}, {"key": "temp", "label": "T", "kind": "document", "severity": "major"}]}"#)
            #expect(contradictory.status == .unprocessableContent)
            #expect(contradictory.invalidParamNames == ["rules[0].minimum", "rules[1].key"])
            #expect(try await trade.send(.put, "/api/v1/compliance/rule-sets/haccp", #"{"name": "x", "rules": []}"#).status == .notFound)
        }
    }
}
