import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import Platform
import ServiceRuntime
import Testing

@Suite struct APIKeyTests {
    static func create(_ client: some TestClientProtocol, token: String, scopes: [String]) async throws -> TestResponse {
        let scopeList = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        return try await client.send(.post, "/api/v1/auth/api-keys", token: token, json: #"{"name": "Fuhrwerkswaage", "scopes": [\#(scopeList)]}"#)
    }

    @Test func aKeyIsShownOnceWorksInBothHeadersAndStopsWhenRevoked() async throws {
        try await IdentityWorld.with { client, world in
            let admin = try await client.tokens("admin@nord.example").access_token
            let created = try await Self.create(client, token: admin, scopes: ["users.read"])
            #expect(created.status == .created)
            let body = try created.json()
            let secret = try #require(body["key"] as? String)
            let id = try #require((body["apiKey"] as? [String: Any])?["id"] as? String)
            #expect(secret.hasPrefix("nk_"))

            // Listed without the secret.
            let list = try await client.get("/api/v1/auth/api-keys", token: admin).text
            #expect(list.contains(id))
            #expect(!list.contains(secret))

            // Accepted as a bearer credential and as X-API-Key, with exactly its scopes.
            #expect(try await client.get("/api/v1/users", token: secret).status == .ok)
            let viaHeader = try await client.execute(uri: "/api/v1/users", method: .get, headers: [HTTPField.Name("X-API-Key")!: secret])
            #expect(viaHeader.status == .ok)
            #expect(try await client.get("/api/v1/tenants/current", token: secret).status == .forbidden)
            let me = try await client.get("/api/v1/auth/me", token: secret).json()
            #expect(me["kind"] as? String == "api_key")
            #expect(me["tenantId"] as? String == world.tenantA.description)

            // Revoked: refused on the very next call.
            let revoke = try await client.execute(uri: "/api/v1/auth/api-keys/\(id)", method: .delete, headers: [.authorization: "Bearer \(admin)"])
            #expect(revoke.status == .noContent)
            let after = try await client.get("/api/v1/users", token: secret)
            #expect(after.status == .unauthorized)
            #expect(try after.decode(ProblemBody.self).category == "authentication")

            let events = try await Outbox(database: world.databases[.main]!, sources: ["auth"]).pending(limit: 100).events.map(\.type)
            #expect(events.contains("auth.api_key.created.v1"))
            #expect(events.contains("auth.api_key.revoked.v1"))
        }
    }

    @Test func aKeyCannotGrantMoreThanItsCreatorHasNorReachAnotherTenant() async throws {
        try await IdentityWorld.with { client, world in
            let adminA = try await client.tokens("admin@nord.example").access_token
            let adminB = try await client.tokens("admin@sued.example").access_token
            _ = try await world.addUser("lager@nord.example", roles: ["warehouse"])
            let warehouse = try await client.tokens("lager@nord.example").access_token
            #expect(try await Self.create(client, token: warehouse, scopes: ["stock.read"]).status == .forbidden)

            let unknownScope = try await Self.create(client, token: adminA, scopes: ["everything"])
            #expect(unknownScope.status == .badRequest)
            #expect(try unknownScope.decode(ProblemBody.self).invalidParams?.first?.name == "scopes")

            let keyOfA = try await Self.create(client, token: adminA, scopes: ["users.read"]).json()
            let idOfA = (keyOfA["apiKey"] as! [String: Any])["id"] as! String
            let fromB = try await client.execute(uri: "/api/v1/auth/api-keys/\(idOfA)", method: .delete, headers: [.authorization: "Bearer \(adminB)"])
            #expect(fromB.status == .notFound)
            let listB = try await client.get("/api/v1/auth/api-keys", token: adminB).text
            #expect(!listB.contains(idOfA))
            let users = try await client.get("/api/v1/users", token: keyOfA["key"] as? String).json()
            #expect((users["data"] as? [[String: Any]])?.allSatisfy { $0["tenantId"] as? String == world.tenantA.description } == true)
        }
    }

    @Test func unknownAndMalformedKeysAre401() async throws {
        try await IdentityWorld.with { client, _ in
            for key in ["nk_unknown", "nk_" + String(repeating: "x", count: 300), "nk_' OR 1=1 --"] {
                let response = try await client.execute(uri: "/api/v1/users", method: .get, headers: [HTTPField.Name("X-API-Key")!: key])
                #expect(response.status == .unauthorized, "\(key.prefix(20))")
            }
        }
    }
}
