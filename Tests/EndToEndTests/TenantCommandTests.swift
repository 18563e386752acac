import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite(.serialized) struct TenantCommandTests {
    /// Runs the binary (or `executable`) with `arguments` to completion; returns its exit status and output.
    static func run(_ arguments: [String], executable: String = ServerProcess.binary, input: String? = nil) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        if let index = arguments.firstIndex(of: "--data-dir"), index + 1 < arguments.count,
            let url = ServerProcess.postgresURL(dataDirectory: arguments[index + 1]) {
            environment["NEUROERP_DATABASE_URL"] = url
        }
        let stdin = ChildProcess.pipe()
        let output = ChildProcess.pipe()
        let process = try ChildProcess.spawn(executable, arguments, environment: environment, input: stdin.read, output: output.write)
        close(stdin.read)
        close(output.write)
        if let input { _ = input.utf8CString.withUnsafeBufferPointer { write(stdin.write, $0.baseAddress, $0.count - 1) } }
        close(stdin.write)
        // The output ends when the command does; then its status is there to be had.
        var collected = Data()
        ChildProcess.readToEnd(output.read) { collected.append($0) }
        while process.isRunning { usleep(5_000) }
        return (process.terminationStatus ?? -1, String(decoding: collected, as: UTF8.self))
    }

    @Test func aTenantCreatedOnTheCommandLineCanLogIn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-tenant-\(UUID().uuidString)").path
        let created = try Self.run(
            ["tenant", "create", "--name", "Landhandel Meyer KG", "--admin-email", "chef@meyer.example", "--data-dir", directory,
             "--bcrypt-cost", "4"],
            input: "ein-sicheres-passwort\n")
        #expect(created.status == 0, "\(created.output)")
        let tenantID = created.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        #expect(UUID(uuidString: tenantID) != nil, "printed: \(created.output)")

        let weak = try Self.run(
            ["tenant", "create", "--name", "X", "--admin-email", "x@meyer.example", "--admin-password", "kurz", "--data-dir", directory])
        #expect(weak.status != 0)
        #expect(weak.output.contains("password"))

        let server = try await ServerProcess.start([], dataDirectory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: server.baseURL + "/api/v1/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"email": "chef@meyer.example", "password": "ein-sicheres-passwort"}"#))
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let token = try #require((try jsonObject(body))["access_token"] as? String)
        let tenant = try await call(client, server.baseURL + "/api/v1/tenants/current", headers: [("Authorization", "Bearer \(token)")])
        #expect(try jsonObject(tenant.body)["id"] as? String == tenantID)
        #expect(try jsonObject(tenant.body)["name"] as? String == "Landhandel Meyer KG")
        try? await client.shutdown()
        await server.stop()
    }
}
