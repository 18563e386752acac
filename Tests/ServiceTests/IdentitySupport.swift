import Crypto
import ERPKernel
import ERPTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Platform
import ServiceRuntime
import Testing
import UserService
import AuthService
@testable import neuroerp

/// Two tenants, each with an administrator, in a fresh embedded process (bcrypt at its cheapest).
struct IdentityWorld: Sendable {
    static let password = "korrekt-pferd-batterie"
    let users: UserServiceModule
    let auth: AuthServiceModule
    let databases: [DatabaseName: any SQLDatabase]
    /// Every service module of the process, for tests that talk to one directly.
    let modules: [any ServiceModule]
    let tenantA: TenantID
    let adminA: EntityID
    let tenantB: TenantID
    let adminB: EntityID

    /// - Parameter background: also run the process's background services (the outbox relays,
    ///   so that events reach their consumers) while the test runs.
    static func with(
        _ flags: [String: String] = [:], background: Bool = false,
        _ test: @Sendable (any TestClientProtocol, IdentityWorld) async throws -> Void
    ) async throws {
        var flags = flags
        flags["bcryptCost"] = "4"
        let process = try await assembleProcess(flags)
        let users = process.modules.compactMap { $0 as? UserServiceModule }.first!
        let auth = process.modules.compactMap { $0 as? AuthServiceModule }.first!
        let a = try await users.createTenant(name: "Raiffeisen Nord eG", adminEmail: "admin@nord.example", adminName: "Nora", password: password)
        let b = try await users.createTenant(name: "Agrarhandel Süd GmbH", adminEmail: "admin@sued.example", adminName: "Sepp", password: password)
        let world = IdentityWorld(users: users, auth: auth, databases: process.databases, modules: process.modules, tenantA: a.tenant, adminA: a.admin, tenantB: b.tenant, adminB: b.admin)
        do {
            let services = background ? process.background : []
            let running = Task { await withTaskGroup(of: Void.self) { group in for service in services { group.addTask { try? await service.run() } } } }
            defer { running.cancel() }
            try await Application(router: process.router).test(.router) { client in try await test(client, world) }
        } catch {
            await process.close()
            throw error
        }
        await process.close()
    }

    func addUser(_ email: String, roles: [String], tenant: TenantID? = nil) async throws -> EntityID {
        try await users.addUser(
            tenant: tenant ?? tenantA, email: email, name: email, roles: roles, password: Self.password, by: nil, trace: .generate()
        ).id
    }
}

struct Tokens: Decodable {
    let access_token: String
    let refresh_token: String
    let token_type: String
    let expires_in: Int
}

extension TestClientProtocol {
    func login(_ email: String, _ password: String = IdentityWorld.password) async throws -> TestResponse {
        try await execute(
            uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"email": "\#(email)", "password": "\#(password)"}"#))
    }

    func tokens(_ email: String, _ password: String = IdentityWorld.password) async throws -> Tokens {
        let response = try await login(email, password)
        #expect(response.status == .ok, "login of \(email): \(response.text)")
        return try JSONDecoder().decode(Tokens.self, from: Data(response.body.readableBytesView))
    }

    func refresh(_ token: String, path: String = "/api/v1/auth/refresh") async throws -> TestResponse {
        try await execute(
            uri: path, method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"refresh_token": "\#(token)"}"#))
    }

    func get(_ uri: String, token: String?) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:])
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String, json: String) async throws -> TestResponse {
        try await execute(
            uri: uri, method: method, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(string: json))
    }
}

/// Hand-made JWTs for the bad-input tests.
enum ForgedToken {
    static func parts(_ token: String) -> (header: [String: Any], payload: [String: Any]) {
        let pieces = token.split(separator: ".").map(String.init)
        func object(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(base64URLEncoded: text)!) as? [String: Any]) ?? [:]
        }
        return (object(pieces[0]), object(pieces[1]))
    }

    static func encode(_ object: [String: Any]) -> String {
        (try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).base64URLEncodedString()
    }

    /// The same claims under `alg: none`, with no signature.
    static func unsigned(from token: String) -> String {
        var (header, payload) = parts(token)
        header["alg"] = "none"
        return encode(header) + "." + encode(payload) + "."
    }

    /// The token with one claim changed and the old signature kept.
    static func tampered(_ token: String, claim: String, value: Any) -> String {
        let pieces = token.split(separator: ".").map(String.init)
        var payload = parts(token).payload
        payload[claim] = value
        return pieces[0] + "." + encode(payload) + "." + pieces[2]
    }

    /// The claims under `alg: HS256`, "signed" with the server's public key as the HMAC secret:
    /// the classic confusion attack on verifiers that let the token choose the algorithm.
    static func hmacWithPublicKey(_ token: String, jwks: [String: Any]) -> String {
        var (header, payload) = parts(token)
        header["alg"] = "HS256"
        let key = ((jwks["keys"] as? [[String: Any]])?.first?["x"] as? String) ?? ""
        let input = encode(header) + "." + encode(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return input + "." + Data(mac).base64URLEncodedString()
    }

    /// The claims signed by a key the server never issued, under the server's key ID.
    static func signedByStranger(_ token: String, claim: String? = nil, value: Any? = nil) throws -> String {
        try sign(token, with: Curve25519.Signing.PrivateKey(), claim: claim, value: value)
    }

    /// The claims, one changed, signed with the server's own key read from its database: only
    /// the claim checks can refuse such a token.
    static func signedByServer(_ token: String, database: any SQLDatabase, claim: String, value: Any) async throws -> String {
        let kid = parts(token).header["kid"] as! String
        let rows = try await database.read { try $0.query("SELECT private_key FROM auth_signing_keys WHERE kid = ?", [.text(kid)]) }
        let raw = Data(base64Encoded: rows.first!.column("private_key")!.string!)!
        return try sign(token, with: Curve25519.Signing.PrivateKey(rawRepresentation: raw), claim: claim, value: value)
    }

    private static func sign(_ token: String, with key: Curve25519.Signing.PrivateKey, claim: String?, value: Any?) throws -> String {
        var (header, payload) = parts(token)
        if let claim { payload[claim] = value }
        header["alg"] = "EdDSA"
        let input = encode(header) + "." + encode(payload)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + Data(signature).base64URLEncodedString()
    }
}
