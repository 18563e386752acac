import AsyncHTTPClient
import Foundation
import Testing

/// The caller the gateway verified reaches a service in another process as an assertion signed
/// with the mesh secret: with the same secret the service serves it; a forged one, or one from a
/// gateway with another secret, is refused.
@Suite(.serialized) struct MeshIdentityTests {
    @Test func aServiceTrustsOnlyAssertionsSignedWithItsMeshSecret() async throws {
        let secret = String(repeating: "5e", count: 32)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-mesh-\(UUID().uuidString)").path
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Mesh eG", "--admin-email", "admin@mesh.example", "--admin-password", "mesh-passwort-123",
             "--data-dir", directory, "--bcrypt-cost", "4"])
        #expect(created.status == 0, "\(created.output)")
        let main = try await ServerProcess.start(["--services", "auth,users", "--mesh-secret", secret], dataDirectory: directory)
        let upstreams = ["--upstream", "auth=\(main.baseURL)", "--upstream", "users=\(main.baseURL)"]
        let gateway = try await ServerProcess.start(["--services", "gateway", "--mesh-secret", secret] + upstreams)
        let stranger = try await ServerProcess.start(["--services", "gateway", "--mesh-secret", String(repeating: "7a", count: 32)] + upstreams)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@mesh.example", "password": "mesh-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            let bearer = ("Authorization", "Bearer \(token)")

            let me = try await call(client, gateway.baseURL + "/api/v1/users/me", headers: [bearer])
            #expect(me.status == 200 && me.body.contains("admin@mesh.example"), "\(me.body)")
            #expect(try await call(client, main.baseURL + "/api/v1/users/me", headers: [bearer]).status == 200, "without an assertion the token is checked")

            let forged = try await call(client, main.baseURL + "/api/v1/users/me", headers: [("X-NeuroERP-Identity", "eyJraW5kIjoidXNlciJ9.AAAA")])
            #expect(forged.status == 401, "\(forged.body)")
            let foreign = try await call(client, stranger.baseURL + "/api/v1/users/me", headers: [bearer])
            #expect(foreign.status == 401, "a gateway with another secret is not believed: \(foreign.body)")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, stranger, main] { await server.stop() }
    }
}
