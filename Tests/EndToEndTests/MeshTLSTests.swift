import AsyncHTTPClient
import Foundation
import NIOSSL
import Testing

/// mTLS between processes: the users service serves only callers presenting a certificate of its
/// CA; the gateway, holding one, reaches it; a renewed certificate is taken up without a restart.
@Suite(.serialized) struct MeshTLSTests {
    static func client(trusting authority: String, certificate: String? = nil, key: String? = nil) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(authority)
        if let certificate, let key {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            tls.privateKey = .file(key)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The serial number of the certificate a TLS server on `port` presents, as openssl reads it.
    static func servedSerial(port: Int, certificates: String) throws -> String {
        let pair = "-cert \(certificates)/gateway.pem -key \(certificates)/gateway-key.pem -CAfile \(certificates)/ca.pem"
        return try TenantCommandTests.run(
            ["-c", "openssl s_client -connect 127.0.0.1:\(port) \(pair) </dev/null 2>/dev/null | openssl x509 -noout -serial"],
            executable: "/bin/sh"
        ).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func fileSerial(_ path: String) throws -> String {
        try TenantCommandTests.run(["-c", "openssl x509 -in '\(path)' -noout -serial"], executable: "/bin/sh").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aServiceServesOnlyCallersWithACertificateOfItsCAAndReloadsARenewedOne() async throws {
        let certificates = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-certs-\(UUID().uuidString)").path
        let strangers = certificates + "-other"
        let made = try TenantCommandTests.run(["certs", "init", "--dir", certificates, "--name", "users", "--name", "gateway"])
        #expect(made.status == 0 && made.output.contains("new development CA"), "\(made.output)")
        #expect(try TenantCommandTests.run(["certs", "init", "--dir", strangers, "--name", "gateway"]).status == 0)
        func tls(_ name: String, in directory: String = certificates) -> [String] {
            ["--tls-cert", "\(directory)/\(name).pem", "--tls-key", "\(directory)/\(name)-key.pem", "--tls-ca", "\(certificates)/ca.pem"]
        }
        let users = try await ServerProcess.start(["--services", "users"] + tls("users"))
        let usersURL = "https://127.0.0.1:\(users.port)"
        let gateway = try await ServerProcess.start(["--services", "gateway", "--upstream", "users=\(usersURL)"] + tls("gateway"))
        let plain = HTTPClient(eventLoopGroupProvider: .singleton)
        let anonymous = try Self.client(trusting: "\(certificates)/ca.pem")
        let stranger = try Self.client(
            trusting: "\(certificates)/ca.pem", certificate: "\(strangers)/gateway.pem", key: "\(strangers)/gateway-key.pem")
        let member = try Self.client(
            trusting: "\(certificates)/ca.pem", certificate: "\(certificates)/gateway.pem", key: "\(certificates)/gateway-key.pem")
        do {
            #expect(try await call(plain, gateway.baseURL + "/api/v1/users").status == 401, "the gateway reached the users service over mTLS")
            await #expect(throws: (any Error).self, "no client certificate") { try await call(anonymous, usersURL + "/health/live") }
            await #expect(throws: (any Error).self, "a certificate of another CA") { try await call(stranger, usersURL + "/health/live") }
            await #expect(throws: (any Error).self, "plain HTTP") { try await call(plain, users.baseURL + "/health/live") }
            #expect(try await call(member, usersURL + "/health/live").status == 200)
            let first = try Self.servedSerial(port: users.port, certificates: certificates)
            #expect(first == (try Self.fileSerial("\(certificates)/users.pem")) && !first.isEmpty)

            #expect(try TenantCommandTests.run(["certs", "init", "--dir", certificates, "--name", "users"]).output.contains("kept the CA"))
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline, !users.logLines.contains(where: { $0["message"] as? String == "mesh certificate reloaded" }) {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(users.logLines.contains { $0["message"] as? String == "mesh certificate reloaded" }, "renewed without a restart")
            let renewed = try Self.client(
                trusting: "\(certificates)/ca.pem", certificate: "\(certificates)/gateway.pem", key: "\(certificates)/gateway-key.pem")
            #expect(try await call(renewed, usersURL + "/health/live").status == 200)
            let second = try Self.servedSerial(port: users.port, certificates: certificates)
            #expect(second == (try Self.fileSerial("\(certificates)/users.pem")) && second != first, "a new connection gets the renewed certificate")
            try? await renewed.shutdown()
        } catch {
            Issue.record(error)
        }
        for client in [plain, anonymous, stranger, member] { try? await client.shutdown() }
        for server in [gateway, users] { await server.stop() }
        for directory in [certificates, strangers] { try? FileManager.default.removeItem(atPath: directory) }
    }
}
