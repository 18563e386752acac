import ERPKernel
import ERPTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Platform
import ServiceRuntime
import Testing
import UserService

/// Login, tokens, refresh rotation and logout, through the embedded process's router.
@Suite struct IdentityFlowTests {
    @Test func loginGivesABearerTokenThatEveryServiceAccepts() async throws {
        try await IdentityWorld.with { client, world in
            let tokens = try await client.tokens("admin@nord.example")
            #expect(tokens.token_type == "Bearer")
            #expect(tokens.expires_in == 300)
            #expect(tokens.refresh_token.hasPrefix("rt_"))
            let me = try await client.get("/api/v1/auth/me", token: tokens.access_token).json()
            #expect(me["subject"] as? String == world.adminA.description)
            #expect(me["tenantId"] as? String == world.tenantA.description)
            #expect((me["permissions"] as? [String])?.contains("users.write") == true)
            let profile = try await client.get("/api/v1/users/me", token: tokens.access_token).json()
            #expect(profile["email"] as? String == "admin@nord.example")
        }
    }

    @Test func theTokenNamesAPublishedKeyAndTheClaimsTheAPIPromises() async throws {
        try await IdentityWorld.with { client, world in
            let token = try await client.tokens("admin@nord.example").access_token
            let (header, payload) = ForgedToken.parts(token)
            #expect(header["alg"] as? String == "EdDSA")
            let jwks = try await client.get("/.well-known/jwks.json", token: nil).json()
            let keys = jwks["keys"] as? [[String: Any]] ?? []
            #expect(keys.contains { $0["kid"] as? String == header["kid"] as? String && $0["kty"] as? String == "OKP" && $0["crv"] as? String == "Ed25519" })
            #expect(keys.allSatisfy { $0["d"] == nil })  // never the private part
            #expect(payload["iss"] as? String == "neuroerp")
            #expect(payload["aud"] as? String == "neuroerp-api" || (payload["aud"] as? [String]) == ["neuroerp-api"])
            #expect(payload["tenant"] as? String == world.tenantA.description)
            let lifetime = (payload["exp"] as! Double) - (payload["iat"] as! Double)
            #expect(lifetime == 300)
        }
    }

    @Test func aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() async throws {
        try await IdentityWorld.with { client, _ in
            let wrong = try await client.login("admin@nord.example", "falsches-passwort-1")
            let unknown = try await client.login("niemand@nord.example", "falsches-passwort-1")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            let wrongProblem = try wrong.decode(ProblemBody.self)
            let unknownProblem = try unknown.decode(ProblemBody.self)
            #expect(wrongProblem.code == "invalid_credentials")
            #expect(wrongProblem.detail == unknownProblem.detail)
            #expect(wrongProblem.code == unknownProblem.code)
        }
    }

    @Test func aRefreshTokenWorksOnceAndItsReuseEndsTheLogin() async throws {
        try await IdentityWorld.with { client, world in
            let first = try await client.tokens("admin@nord.example")
            let rotated = try await client.refresh(first.refresh_token)
            #expect(rotated.status == .ok)
            let second = try JSONDecoder().decode(Tokens.self, from: Data(rotated.body.readableBytesView))
            #expect(second.refresh_token != first.refresh_token)
            #expect(try await client.get("/api/v1/auth/me", token: second.access_token).status == .ok)

            // Someone replays the first token: refused, and the whole family is revoked.
            let replay = try await client.refresh(first.refresh_token)
            #expect(replay.status == .unauthorized)
            #expect(try replay.decode(ProblemBody.self).code == "invalid_refresh_token")
            #expect(try await client.refresh(second.refresh_token).status == .unauthorized)

            let events = try await Outbox(database: world.databases[.main]!, sources: ["auth"]).pending(limit: 100).events
            #expect(events.contains { $0.type == "auth.refresh_token.reused.v1" && $0.subject == world.adminA.description })
        }
    }

    @Test func twoConcurrentUsesOfOneRefreshTokenCannotBothSucceed() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").refresh_token
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 { group.addTask { try await client.refresh(token).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .unauthorized }.count == 7)
        }
    }

    @Test func logoutEndsTheLogin() async throws {
        try await IdentityWorld.with { client, _ in
            let tokens = try await client.tokens("admin@nord.example")
            #expect(try await client.refresh(tokens.refresh_token, path: "/api/v1/auth/logout").status == .noContent)
            #expect(try await client.refresh(tokens.refresh_token).status == .unauthorized)
            #expect(try await client.refresh(tokens.refresh_token, path: "/api/v1/auth/logout").status == .unauthorized)
        }
    }

    @Test func aLockedUserCanNeitherLogInNorRefresh() async throws {
        try await IdentityWorld.with { client, world in
            let clerk = try await world.addUser("clerk@nord.example", roles: ["sales"])
            let clerkTokens = try await client.tokens("clerk@nord.example")
            let admin = try await client.tokens("admin@nord.example").access_token
            let locked = try await client.send(.patch, "/api/v1/users/\(clerk)", token: admin, json: #"{"status": "locked"}"#)
            #expect(locked.status == .ok)
            let login = try await client.login("clerk@nord.example")
            #expect(login.status == .forbidden)
            #expect(try login.decode(ProblemBody.self).code == "account_locked")
            #expect(try await client.refresh(clerkTokens.refresh_token).status == .forbidden)
        }
    }

    @Test func aRoleChangeReachesTheNextRefreshedToken() async throws {
        try await IdentityWorld.with { client, world in
            let clerk = try await world.addUser("clerk@nord.example", roles: ["warehouse"])
            let clerkTokens = try await client.tokens("clerk@nord.example")
            // The refresh reads the clerk's permissions (and fills the cache).
            let before = try JSONDecoder().decode(Tokens.self, from: Data(try await client.refresh(clerkTokens.refresh_token).body.readableBytesView))
            #expect(ForgedToken.parts(before.access_token).payload["permissions"] as? [String] == Role.permissionNames(["warehouse"]))
            let admin = try await client.tokens("admin@nord.example").access_token
            #expect(try await client.send(.put, "/api/v1/users/\(clerk)/roles", token: admin, json: #"{"roles": ["auditor"]}"#).status == .ok)
            let after = try JSONDecoder().decode(Tokens.self, from: Data(try await client.refresh(before.refresh_token).body.readableBytesView))
            #expect(ForgedToken.parts(after.access_token).payload["roles"] as? [String] == ["auditor"])
            #expect((ForgedToken.parts(after.access_token).payload["permissions"] as? [String])?.contains("stock.write") == false)
        }
    }

    @Test func aRotatedKeyStaysPublishedAndItsTokensKeepWorking() async throws {
        try await IdentityWorld.with { client, world in
            let before = try await client.tokens("admin@nord.example").access_token
            let auth = world.auth
            try await auth.rotateSigningKey()
            let after = try await client.tokens("admin@nord.example").access_token
            let oldKid = ForgedToken.parts(before).header["kid"] as? String
            let newKid = ForgedToken.parts(after).header["kid"] as? String
            #expect(oldKid != newKid)
            let kids = (try await client.get("/.well-known/jwks.json", token: nil).json()["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String }
            #expect(Set(kids) == Set([oldKid, newKid].compactMap { $0 }))
            #expect(try await client.get("/api/v1/users/me", token: before).status == .ok)
            try await Task.sleep(for: .milliseconds(1100))  // the verifiers look for a new key at most once a second
            #expect(try await client.get("/api/v1/users/me", token: after).status == .ok)
        }
    }

    @Test func aRestartLogsNobodyOut() async throws {
        let directory = try TestDatabase.temporaryDirectory().path
        let token = TokenBox()
        let refresh = TokenBox()
        try await IdentityWorld.with(["dataDir": directory]) { client, _ in
            let tokens = try await client.tokens("admin@nord.example")
            token.value = tokens.access_token
            refresh.value = tokens.refresh_token
        }
        try await withProcess(["dataDir": directory]) { client, _ in
            let response = try await client.get("/api/v1/auth/me", token: token.value)
            #expect(response.status == .ok)
            let refreshed = try await client.refresh(refresh.value)
            #expect(refreshed.status == .ok)
        }
    }
}

final class TokenBox: @unchecked Sendable {
    // Written by one test step, read by the next; the steps run one after the other.
    var value = ""
}


@Suite struct LoginThrottleTests {
    @Test func repeatedFailuresForOneAccountAreAnsweredWith429() async throws {
        try await IdentityWorld.with { client, _ in
            for _ in 0..<5 {
                #expect(try await client.login("admin@nord.example", "falsches-passwort-1").status == .unauthorized)
            }
            let blocked = try await client.login("admin@nord.example")  // even the right password waits
            #expect(blocked.status == .tooManyRequests)
            #expect(Int(blocked.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try blocked.decode(ProblemBody.self).category == "rate_limited")
            // Another account is not affected.
            #expect(try await client.login("admin@sued.example").status == .ok)
        }
    }
}

extension Role {
    static func permissionNames(_ roles: [String]) -> [String] { permissions(of: roles).map(\.rawValue).sorted() }
}
