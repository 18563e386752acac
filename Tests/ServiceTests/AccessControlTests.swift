import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceRuntime
import Testing

/// Who may do what, and what happens to a credential that is not right.
@Suite struct AccessControlTests {
    static func expectUnauthenticated(_ response: TestResponse, _ what: String) throws {
        #expect(response.status == .unauthorized, "\(what): \(response.status)")
        #expect(response.headers[.contentType] == "application/problem+json", "\(what)")
        #expect(try response.decode(ProblemBody.self).category == "authentication", "\(what)")
    }

    @Test func everyBadCredentialIsA401Problem() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let jwks = try await client.get("/.well-known/jwks.json", token: nil).json()
            let sqlish = "' OR 1=1; DROP TABLE users; --"
            let cases: [(String, HTTPFields)] = [
                ("no credential", [:]),
                ("not a bearer scheme", [.authorization: "Token \(token)"]),
                ("bearer without a token", [.authorization: "Bearer"]),
                ("garbage", [.authorization: "Bearer not.a.jwt"]),
                ("SQL-looking", [.authorization: "Bearer \(sqlish)"]),
                ("oversized", [.authorization: "Bearer " + String(repeating: "a", count: 9000)]),
                ("alg none", [.authorization: "Bearer \(ForgedToken.unsigned(from: token))"]),
                ("HS256 with the public key", [.authorization: "Bearer \(ForgedToken.hmacWithPublicKey(token, jwks: jwks))"]),
                ("tampered tenant", [.authorization: "Bearer \(ForgedToken.tampered(token, claim: "tenant", value: EntityID.generate().description))"]),
                ("tampered permissions", [.authorization: "Bearer \(ForgedToken.tampered(token, claim: "permissions", value: Permission.all.map(\.rawValue)))"]),
                ("signed by a stranger", [.authorization: "Bearer \(try ForgedToken.signedByStranger(token))"]),
                ("expired", [.authorization: "Bearer \(ForgedToken.tampered(token, claim: "exp", value: 1_000_000))"]),
                ("unknown kid", [.authorization: "Bearer \(ForgedToken.tampered(token, claim: "sub", value: "x").replacingOccurrences(of: token.split(separator: ".")[0], with: ForgedToken.encode(["alg": "EdDSA", "kid": "nope", "typ": "JWT"])))"]),
            ]
            for (what, headers) in cases {
                let response = try await client.execute(uri: "/api/v1/users", method: .get, headers: headers)
                try Self.expectUnauthenticated(response, what)
            }
        }
    }

    @Test func validlySignedTokensWithWrongClaimsAreRefused() async throws {
        try await IdentityWorld.with { client, world in
            let token = try await client.tokens("admin@nord.example").access_token
            let main = world.databases[.main]!
            // The control: the server's key with unchanged claims is accepted.
            let resigned = try await ForgedToken.signedByServer(token, database: main, claim: "jti", value: "another")
            #expect(try await client.get("/api/v1/users", token: resigned).status == .ok)
            let wrongClaims: [(String, Any)] = [
                ("exp", Date().timeIntervalSince1970 - 10), ("aud", "someone-else"), ("iss", "evil"), ("tenant", "not-a-uuid"),
            ]
            for (claim, value) in wrongClaims {
                let forged = try await ForgedToken.signedByServer(token, database: main, claim: claim, value: value)
                try Self.expectUnauthenticated(try await client.get("/api/v1/users", token: forged), claim)
            }
        }
    }

    @Test func sqlLookingInputIsDataNotCode() async throws {
        try await IdentityWorld.with { client, world in
            let sqlish = "Robert'); DROP TABLE users; --"
            let login = try await client.login("x' OR '1'='1@nord.example", "' OR '1'='1' --x")
            #expect(login.status == .unauthorized)
            let admin = try await client.tokens("admin@nord.example").access_token
            let created = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "bobby@nord.example", "name": "\#(sqlish)", "roles": ["sales"], "password": "ein-gutes-passwort"}"#)
            #expect(created.status == .created)
            #expect(try created.json()["name"] as? String == sqlish)
            let list = try await client.get("/api/v1/users", token: admin).json()
            #expect((list["data"] as? [[String: Any]])?.count == 2)
            let badID = try await client.get("/api/v1/users/1%20OR%201=1", token: admin)
            #expect(badID.status == .badRequest)
        }
    }

    @Test func permissionsDecideWhatARoleMayDo() async throws {
        try await IdentityWorld.with { client, world in
            _ = try await world.addUser("pruefer@nord.example", roles: ["auditor"])
            _ = try await world.addUser("lager@nord.example", roles: ["warehouse"])
            let auditor = try await client.tokens("pruefer@nord.example").access_token
            let warehouse = try await client.tokens("lager@nord.example").access_token
            #expect(try await client.get("/api/v1/users", token: auditor).status == .ok)
            let write = try await client.send(
                .post, "/api/v1/users", token: auditor,
                json: #"{"email": "neu@nord.example", "name": "Neu", "roles": ["sales"], "password": "ein-gutes-passwort"}"#)
            #expect(write.status == .forbidden)
            #expect(try write.decode(ProblemBody.self).detail?.contains("users.write") == true)
            #expect(try await client.get("/api/v1/users", token: warehouse).status == .forbidden)
            #expect(try await client.get("/api/v1/users/me", token: warehouse).status == .ok)
        }
    }

    @Test func aTenantNeverSeesAnotherTenantsUsers() async throws {
        try await IdentityWorld.with { client, world in
            let clerkB = try await world.addUser("clerk@sued.example", roles: ["sales"], tenant: world.tenantB)
            let adminA = try await client.tokens("admin@nord.example").access_token
            let list = try await client.get("/api/v1/users", token: adminA).json()
            let emails = (list["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
            #expect(emails == ["admin@nord.example"])
            #expect(try await client.get("/api/v1/users/\(clerkB)", token: adminA).status == .notFound)
            #expect(try await client.get("/api/v1/users/\(world.adminB)", token: adminA).status == .notFound)
            #expect(try await client.send(.patch, "/api/v1/users/\(clerkB)", token: adminA, json: #"{"status": "locked"}"#).status == .notFound)
            #expect(try await client.send(.put, "/api/v1/users/\(clerkB)/roles", token: adminA, json: #"{"roles": ["admin"]}"#).status == .notFound)
            let tenant = try await client.get("/api/v1/tenants/current", token: adminA).json()
            #expect(tenant["name"] as? String == "Raiffeisen Nord eG")
            // The other tenant's clerk still works, unchanged.
            let clerk = try await client.tokens("clerk@sued.example").access_token
            #expect(try await client.get("/api/v1/users/me", token: clerk).json()["status"] as? String == "active")
        }
    }

    @Test func anAdminManagesUsersWithinTheRules() async throws {
        try await IdentityWorld.with { client, world in
            let admin = try await client.tokens("admin@nord.example").access_token
            let weak = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "neu@nord.example", "name": "Neu", "roles": ["sales"], "password": "kurz"}"#)
            #expect(weak.status == .badRequest)
            #expect(try weak.decode(ProblemBody.self).invalidParams?.contains { $0.name == "password" } == true)
            let emailAsPassword = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "neu@nord.example", "name": "Neu", "roles": ["sales"], "password": "neu@nord.example"}"#)
            #expect(emailAsPassword.status == .badRequest)
            let unknownRole = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "neu@nord.example", "name": "Neu", "roles": ["kaiser"], "password": "ein-gutes-passwort"}"#)
            #expect(try unknownRole.decode(ProblemBody.self).invalidParams?.first?.name == "roles")

            let created = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "Neu@Nord.example", "name": "Neu", "roles": ["sales"], "password": "ein-gutes-passwort"}"#)
            #expect(created.status == .created)
            let user = try created.json()
            #expect(user["email"] as? String == "neu@nord.example")
            #expect(created.headers[.location] == "/api/v1/users/\(user["id"] as! String)")
            #expect(try await client.login("neu@nord.example", "ein-gutes-passwort").status == .ok)

            let duplicate = try await client.send(
                .post, "/api/v1/users", token: admin,
                json: #"{"email": "neu@nord.example", "name": "Noch einer", "roles": [], "password": "ein-gutes-passwort"}"#)
            #expect(duplicate.status == .conflict)

            let unknownField = try await client.send(.patch, "/api/v1/users/me", token: admin, json: #"{"stauts": "active"}"#)
            #expect(try unknownField.decode(ProblemBody.self).invalidParams?.first?.name == "stauts")
            let selfLock = try await client.send(.patch, "/api/v1/users/\(world.adminA)", token: admin, json: #"{"status": "disabled"}"#)
            #expect(selfLock.status == .conflict)
            let selfDemote = try await client.send(.put, "/api/v1/users/\(world.adminA)/roles", token: admin, json: #"{"roles": ["sales"]}"#)
            #expect(selfDemote.status == .conflict)
        }
    }

    @Test func usersArePagedByCursor() async throws {
        try await IdentityWorld.with { client, world in
            for n in 0..<7 { _ = try await world.addUser("user\(n)@nord.example", roles: []) }
            let admin = try await client.tokens("admin@nord.example").access_token
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.get("/api/v1/users?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin).json()
                seen += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == 8)
            #expect(Set(seen).count == 8)
            #expect(try await client.get("/api/v1/users?limit=0", token: admin).status == .badRequest)
        }
    }
}
