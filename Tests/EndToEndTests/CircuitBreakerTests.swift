import AsyncHTTPClient
import Foundation
import Testing

/// The gateway's circuit to a service in another process: the service killed, the circuit
/// opens within the configured failures and calls fail fast; the service back, a probe closes it.
@Suite(.serialized) struct CircuitBreakerTests {
    @Test func aKilledUpstreamOpensTheCircuitAndItsRestartClosesIt() async throws {
        let port = try LoopbackPort.free()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-circuit-\(UUID().uuidString)").path
        var users = try await ServerProcess.start(["--services", "users", "--port", String(port)], dataDirectory: directory)
        let gateway = try await ServerProcess.start([
            "--services", "gateway", "--upstream", "users=\(users.baseURL)", "--circuit-failures", "3", "--circuit-open-ms", "1000",
        ])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func circuit() async throws -> Double? {
            let metrics = try await call(client, gateway.baseURL + "/metrics").body
            return metrics.split(separator: "\n").first { $0.hasPrefix(#"upstream_circuit_state{service="users",replica="\#(users.baseURL)"}"#) }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        do {
            #expect(try await call(client, gateway.baseURL + "/api/v1/users").status == 401, "answered by the users service")
            #expect(try await circuit() == 0)

            users.signal(SIGKILL)
            _ = try await users.waitForExit()
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await call(client, gateway.baseURL + "/api/v1/users").status) }
            #expect(statuses.allSatisfy { $0 == 503 })
            let started = ContinuousClock.now
            let held = try await call(client, gateway.baseURL + "/api/v1/users")
            // The code below shows the call never left the gateway; the bound only catches a wait
            // (backoff, a timeout) and allows for a machine loaded by the other tests.
            #expect(ContinuousClock.now - started < .seconds(1), "an open circuit answers at once")
            let code = try jsonObject(held.body)["code"] as? String
            #expect(held.status == 503 && code == "circuit_open", "\(held.body)")
            #expect(held.headers["retry-after"] != nil)
            #expect(try await circuit() == 2)

            users = try await ServerProcess.start(["--services", "users", "--port", String(port)], dataDirectory: directory)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await call(client, gateway.baseURL + "/api/v1/users").status == 401, "the probe reached the service")
            #expect(try await circuit() == 0)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, users] { await server.stop() }
    }
}
