import AsyncHTTPClient
import Foundation
import Testing

/// Two replicas of the users service behind one gateway, the second labelled `canary`, with the
/// split in a policy file: the canary gets its weight's share, a header rule sends a request to
/// it, a rewritten file moves traffic without a restart, and a killed replica is ejected so the
/// callers only see the one left.
@Suite(.serialized) struct TrafficSplitTests {
    static let route = #"http_requests_total{method="GET",route="/api/v1/users",status="401"}"#

    /// Requests the users route answered at one replica, from its own metrics.
    func served(_ client: HTTPClient, by replica: ServerProcess) async throws -> Int {
        let metrics = try await call(client, replica.baseURL + "/metrics").body
        return metrics.split(separator: "\n").first { $0.hasPrefix(Self.route) }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// Sends `count` anonymous GETs through the gateway, `concurrency` at a time; their statuses.
    func send(_ count: Int, concurrency: Int = 16, to gateway: ServerProcess, headers: [(String, String)] = [], _ client: HTTPClient) async throws -> [Int: Int] {
        try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var statuses: [Int: Int] = [:]
                    for _ in stride(from: worker, to: count, by: concurrency) {
                        statuses[try await call(client, gateway.baseURL + "/api/v1/users", headers: headers).status, default: 0] += 1
                    }
                    return statuses
                }
            }
            return try await group.reduce(into: [:]) { total, part in total.merge(part, uniquingKeysWith: +) }
        }
    }

    @Test func theCanaryGetsItsShareRulesPickItAReloadMovesTrafficAndADeadReplicaIsEjected() async throws {
        let policy = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-policy-\(UUID().uuidString).json")
        try Self.policy(canaryWeight: 5, stableWeight: 95).write(to: policy)
        let stable = try await ServerProcess.start(["--services", "users"])
        let canary = try await ServerProcess.start(["--services", "users"])
        let gateway = try await ServerProcess.start([
            "--services", "gateway", "--upstream", "users=\(stable.baseURL)", "--upstream", "users@canary=\(canary.baseURL)",
            "--gateway-policy", policy.path, "--circuit-failures", "2", "--health-interval-ms", "200",
        ])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let answers = try await send(10_000, to: gateway, client)
            #expect(answers == [401: 10_000], "every request answered by a replica")
            let toCanary = try await served(client, by: canary)
            #expect(try await served(client, by: stable) + toCanary == 10_000)
            #expect((300...700).contains(toCanary), "the canary's 5 % within ±2 %: \(toCanary) of 10,000")

            _ = try await send(50, to: gateway, headers: [("X-Version", "b")], client)
            #expect(try await served(client, by: canary) == toCanary + 50, "the header rule sends every request to the canary")

            try Self.policy(canaryWeight: 1, stableWeight: 0).write(to: policy)
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline, !gateway.logLines.contains(where: { $0["message"] as? String == "gateway policy reloaded" }) {
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = try await send(100, to: gateway, client)
            #expect(try await served(client, by: canary) == toCanary + 150, "the reloaded policy sends everything to the canary")

            canary.signal(SIGKILL)
            _ = try await canary.waitForExit()
            let afterKill = try await send(200, concurrency: 1, to: gateway, client)
            #expect(afterKill[401, default: 0] >= 196, "at most the failures that open the canary's circuit reach a caller: \(afterKill)")
            let lastOnes = try await send(50, to: gateway, client)
            #expect(lastOnes == [401: 50], "the dead canary is out of the balancing; the stable replica serves")
            let metrics = try await call(client, gateway.baseURL + "/metrics").body
            #expect(metrics.contains(#"upstream_replica_healthy{service="users",replica="\#(canary.baseURL)"} 0"#), "the health checks noticed")
            #expect(metrics.contains(#"upstream_replica_healthy{service="users",replica="\#(stable.baseURL)"} 1"#))
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, stable, canary] { await server.stop() }
        try? FileManager.default.removeItem(at: policy)
    }

    static func policy(canaryWeight: Int, stableWeight: Int) -> Data {
        Data("""
            {"split": {"users": {"weights": {"stable": \(stableWeight), "canary": \(canaryWeight)},
                                 "rules": [{"header": "X-Version", "value": "b", "version": "canary"}]}}}
            """.utf8)
    }
}
