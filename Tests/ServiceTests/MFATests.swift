import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceRuntime
import Testing
@testable import AuthService

/// TOTP as a second factor: enrol, confirm, log in in two steps, recovery codes.
@Suite struct MFATests {
    /// The secret as the server keeps it, from the base32 the enrolment answer shows.
    static func rawSecret(fromBase32 text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text {
            buffer = (buffer << 5) | alphabet.firstIndex(of: character)!
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func enrol(_ client: some TestClientProtocol, token: String) async throws -> (secret: String, recoveryCodes: [String]) {
        let enrolment = try await client.send(.post, "/api/v1/auth/mfa/enrol", token: token, json: "{}").json()
        let base32 = try #require(enrolment["secret"] as? String)
        #expect((enrolment["otpauthUri"] as? String)?.hasPrefix("otpauth://totp/") == true)
        let secret = rawSecret(fromBase32: base32)
        // A code from 30 s ago: the next login's current code stays unused. Near the end of a
        // step it would be two steps old by the time the server checks it: wait for the next.
        let phase = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30)
        if phase > 27 { try await Task.sleep(for: .milliseconds(Int((30 - phase) * 1000) + 100)) }
        let earlier = TOTPCheck.code(secret: secret, at: Date().addingTimeInterval(-30))
        let confirmed = try await client.send(.post, "/api/v1/auth/mfa/confirm", token: token, json: #"{"code": "\#(earlier)"}"#)
        #expect(confirmed.status == .ok, "\(confirmed.text)")
        return (secret, try confirmed.json()["recoveryCodes"] as? [String] ?? [])
    }

    static func secondStep(_ client: some TestClientProtocol, challenge: String, code: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/auth/login/mfa", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"mfa_token": "\#(challenge)", "code": "\#(code)"}"#))
    }

    @Test func aLoginWithASecondFactorNeedsACurrentCodeOnce() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let (secret, codes) = try await Self.enrol(client, token: token)
            #expect(codes.count == 10)

            let first = try await client.login("admin@nord.example").json()
            #expect(first["mfa_required"] as? Bool == true)
            #expect(first["access_token"] == nil)
            let challenge = try #require(first["mfa_token"] as? String)
            #expect(try await Self.secondStep(client, challenge: challenge, code: "000000").status == .unauthorized)
            let code = TOTPCheck.code(secret: secret)
            let done = try await Self.secondStep(client, challenge: challenge, code: code)
            #expect(done.status == .ok)
            #expect(try done.json()["access_token"] is String)
            // The challenge is finished, and the same code does not open a second login.
            #expect(try await Self.secondStep(client, challenge: challenge, code: code).status == .unauthorized)
            let again = try await client.login("admin@nord.example").json()["mfa_token"] as! String
            #expect(try await Self.secondStep(client, challenge: again, code: code).status == .unauthorized)
        }
    }

    @Test func aRecoveryCodeWorksOnceInsteadOfACode() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let (_, codes) = try await Self.enrol(client, token: token)
            try #require(codes.count >= 2)
            let challenge = try await client.login("admin@nord.example").json()["mfa_token"] as! String
            #expect(try await Self.secondStep(client, challenge: challenge, code: codes[0].uppercased()).status == .ok)
            let next = try await client.login("admin@nord.example").json()["mfa_token"] as! String
            #expect(try await Self.secondStep(client, challenge: next, code: codes[0]).status == .unauthorized)
            #expect(try await Self.secondStep(client, challenge: next, code: codes[1]).status == .ok)
        }
    }

    @Test func aChallengeDiesAfterFiveWrongCodes() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            let (secret, _) = try await Self.enrol(client, token: token)
            let challenge = try await client.login("admin@nord.example").json()["mfa_token"] as! String
            for _ in 0..<5 { _ = try await Self.secondStep(client, challenge: challenge, code: "123456") }
            let late = try await Self.secondStep(client, challenge: challenge, code: TOTPCheck.code(secret: secret))
            #expect(try late.decode(ProblemBody.self).code == "invalid_mfa_token")
        }
    }

    @Test func enrolmentNeedsAConfirmingCodeAndCanBeUndone() async throws {
        try await IdentityWorld.with { client, _ in
            let token = try await client.tokens("admin@nord.example").access_token
            _ = try await client.send(.post, "/api/v1/auth/mfa/enrol", token: token, json: "{}")
            let wrong = try await client.send(.post, "/api/v1/auth/mfa/confirm", token: token, json: #"{"code": "12345"}"#)
            #expect(wrong.status == .unauthorized)
            // Unconfirmed: login still gives tokens at once.
            #expect(try await client.login("admin@nord.example").json()["access_token"] is String)

            let (secret, _) = try await Self.enrol(client, token: token)
            #expect(try await client.send(.post, "/api/v1/auth/mfa/enrol", token: token, json: "{}").status == .conflict)
            let disabled = try await client.send(.post, "/api/v1/auth/mfa/disable", token: token, json: #"{"code": "\#(TOTPCheck.code(secret: secret))"}"#)
            #expect(disabled.status == .noContent)
            #expect(try await client.login("admin@nord.example").json()["access_token"] is String)
        }
    }
}
