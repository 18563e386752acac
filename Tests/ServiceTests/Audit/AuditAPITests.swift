import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The trail over HTTP in an embedded process: every service's actions arrive through the bus;
/// only the auditor and admin roles of the same tenant read them.
@Suite struct AuditAPITests {
    /// The records `query` selects, once at least `count` of them arrived (the relay delivers
    /// in the background).
    static func records(
        _ client: any TestClientProtocol, token: String, _ query: String, atLeast count: Int
    ) async throws -> [[String: Any]] {
        var data: [[String: Any]] = []
        for _ in 0..<200 {
            let response = try await client.get("/api/v1/audit/events?\(query)", token: token)
            #expect(response.status == .ok, "\(query): \(response.text)")
            data = response.object["data"] as? [[String: Any]] ?? []
            if data.count >= count { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return data
    }

    @Test func aPriceChangeIsInTheTrailWithWhoAndFromWhatToWhat() async throws {
        try await IdentityWorld.with(background: true) { client, world in
            let admin = try await client.tokens("admin@nord.example").access_token
            _ = try await world.addUser("pruefer@nord.example", roles: ["auditor"])
            _ = try await world.addUser("verkauf@nord.example", roles: ["sales"])
            let auditor = try await client.tokens("pruefer@nord.example").access_token
            let article = try await client.created(
                "/api/v1/articles", token: admin, #"{"sku": "KAS-27", "name": "Kalkammonsalpeter", "category": "fertiliser", "baseUnit": "kg", "taxCode": "DE19"}"#)["id"] as! String
            let patch = try await client.send(.patch, "/api/v1/articles/\(article)", token: admin, json: #"{"name": "KAS 27 % N"}"#)
            #expect(patch.status == .ok, "\(patch.text)")

            let history = try await Self.records(client, token: auditor, "resourceType=article&resourceId=\(article)", atLeast: 2)
            #expect(history.map { $0["action"] as? String } == ["transactions.article.created", "transactions.article.changed"])
            let change = try #require(history.last)
            let actor = change["actor"] as? [String: Any]
            #expect(actor?["id"] as? String == world.adminA.description && actor?["email"] as? String == "admin@nord.example")
            let changes = change["changes"] as? [String: Any]
            #expect((changes?["before"] as? [String: Any])?["name"] as? String == "Kalkammonsalpeter")
            #expect((changes?["after"] as? [String: Any])?["name"] as? String == "KAS 27 % N")

            // Filters by actor and action, and cursor pages in order.
            let byAdmin = try await Self.records(client, token: auditor, "actor=\(world.adminA)&action=transactions.article.changed", atLeast: 1)
            #expect(byAdmin.count == 1 && byAdmin.first?["resourceId"] as? String == article)
            let first = try await client.get("/api/v1/audit/events?limit=1", token: auditor)
            let cursor = try #require(first.object["nextCursor"] as? String)
            let second = try await client.get("/api/v1/audit/events?limit=1&cursor=\(cursor)", token: auditor)
            #expect(((second.object["data"] as? [[String: Any]])?.first?["seq"] as? Int) == 2)

            let verdict = try await client.get("/api/v1/audit/verify", token: auditor)
            #expect(verdict.status == .ok && verdict.object["valid"] as? Bool == true, "\(verdict.text)")
        }
    }

    @Test func onlyTheAuditorAndAdminOfTheSameTenantReadTheTrail() async throws {
        try await IdentityWorld.with(background: true) { client, world in
            let admin = try await client.tokens("admin@nord.example").access_token
            _ = try await world.addUser("verkauf@nord.example", roles: ["sales"])
            let article = try await client.created(
                "/api/v1/articles", token: admin, #"{"sku": "SAAT-1", "name": "Winterweizen", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)["id"] as! String
            #expect(try await Self.records(client, token: admin, "resourceId=\(article)", atLeast: 1).count == 1)

            let sales = try await client.tokens("verkauf@nord.example").access_token
            for path in ["/api/v1/audit/events", "/api/v1/audit/verify", "/api/v1/audit/export"] {
                let refused = try await client.get(path, token: sales)
                #expect(refused.status == .forbidden, "\(path): \(refused.text)")
                #expect(try await client.get(path, token: nil).status == .unauthorized)
            }
            let south = try await client.tokens("admin@sued.example").access_token
            let foreign = try await client.get("/api/v1/audit/events?resourceId=\(article)", token: south)
            #expect(foreign.status == .ok && (foreign.object["data"] as? [[String: Any]])?.isEmpty == true)
            let southTrail = try await Self.records(client, token: south, "limit=500", atLeast: 1)
            #expect(!southTrail.isEmpty)
            #expect(southTrail.allSatisfy { ($0["actor"] as? [String: Any])?["id"] as? String != world.adminA.description })
        }
    }

    @Test func theExportIsJSONLinesEndingInACheckpointAndIsItselfRecorded() async throws {
        try await IdentityWorld.with(background: true) { client, _ in
            let admin = try await client.tokens("admin@nord.example").access_token
            _ = try await Self.records(client, token: admin, "action=auth.login.succeeded", atLeast: 1)
            let export = try await client.get("/api/v1/audit/export", token: admin)
            #expect(export.status == .ok && export.headers[.contentType] == "application/x-ndjson")
            let lines = export.text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.allSatisfy { $0 != nil })
            #expect(lines.first??["type"] as? String == "header" && lines.last??["type"] as? String == "checkpoint")
            let exported = try await Self.records(client, token: admin, "action=audit.trail.exported", atLeast: 1)
            #expect(exported.count == 1)
        }
    }

    @Test func badFiltersAreNamed() async throws {
        try await IdentityWorld.with { client, _ in
            let admin = try await client.tokens("admin@nord.example").access_token
            for (query, name) in [("from=yesterday", "from"), ("to=2026-13-45T00:00:00Z", "to"), ("limit=0", "limit"),
                                  ("resourceType=\(String(repeating: "x", count: 65))", "resourceType")] {
                let response = try await client.get("/api/v1/audit/events?\(query)", token: admin)
                #expect(response.status == .badRequest, "\(query): \(response.text)")
                #expect(response.invalidParamNames == [name], "\(query): \(response.text)")
            }
            let foreignCursor = try await client.get("/api/v1/audit/events?cursor=abc", token: admin)
            #expect(foreignCursor.status == .unprocessableContent && foreignCursor.invalidParamNames == ["cursor"], "\(foreignCursor.text)")
            let unknown = try await client.send(.post, "/api/v1/audit/actors/\(EntityID.generate())/pseudonymise", token: admin, json: "{}")
            #expect(unknown.status == .notFound)
        }
    }
}
