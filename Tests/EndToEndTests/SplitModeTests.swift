import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The built binary as three processes on loopback: a gateway and two services behind it.
@Suite(.serialized) struct SplitModeTests {
    @Test func theGatewayRoutesCorrelatesAndReportsADownUpstream() async throws {
        let audit = try await ServerProcess.start(["--services", "audit"])
        let users = try await ServerProcess.start(["--services", "users"])
        let gateway = try await ServerProcess.start([
            "--services", "gateway", "--upstream", "audit=\(audit.baseURL)", "--upstream", "users=\(users.baseURL)",
            "--status-max-age-ms", "0", "--upstream-timeout-ms", "2000",
        ])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            // The list shows both services up, in split mode, at their addresses.
            let list = try await call(client, gateway.baseURL + "/api/v1/system/services")
            #expect(list.status == 200)
            let services = try jsonObject(list.body)["data"] as? [[String: Any]] ?? []
            let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"] as! String, $0) })
            #expect(byName.count == 10)
            #expect(byName["audit"]?["status"] as? String == "up")
            #expect(byName["audit"]?["address"] as? String == audit.baseURL)
            #expect(byName["audit"]?["mode"] as? String == "split")
            #expect(byName["users"]?["status"] as? String == "up")
            #expect((byName["users"]?["databases"] as? [[String: Any]])?.first?["name"] as? String == "main")
            #expect(byName["compliance"]?["status"] as? String == "down")

            // A public path is answered by the owning process, under the caller's trace.
            let traceID = "0af7651916cd43dd8448eb211c80319c"
            let forwarded = try await call(
                client, gateway.baseURL + "/api/v1/audit/entries",
                headers: [("traceparent", "00-\(traceID)-b7ad6b7169203331-01")])
            #expect(forwarded.status == 404)
            #expect(forwarded.headers["content-type"] == "application/problem+json")
            #expect(try jsonObject(forwarded.body)["correlationId"] as? String == traceID)
            try await Task.sleep(for: .milliseconds(200))
            let auditLines = audit.logLines.filter { $0["trace.id"] as? String == traceID }
            let gatewayLines = gateway.logLines.filter { $0["trace.id"] as? String == traceID }
            #expect(auditLines.contains { $0["url.path"] as? String == "/api/v1/audit/entries" })
            #expect(gatewayLines.contains { $0["url.path"] as? String == "/api/v1/audit/entries" })

            // /metrics is Prometheus text and counts the upstream calls.
            let metrics = try await call(client, gateway.baseURL + "/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(PrometheusText.invalidLines(metrics.body).isEmpty, "\(PrometheusText.invalidLines(metrics.body))")
            #expect(metrics.body.contains(#"upstream_requests_total{service="audit",version="stable",outcome="ok"}"#))

            // Stop one upstream: its paths turn into a 503 problem quickly, the rest keep working.
            audit.signal(SIGTERM)
            #expect(try await audit.waitForExit() == 0)
            let started = ContinuousClock.now
            let down = try await call(client, gateway.baseURL + "/api/v1/audit/entries")
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(down.status == 503 || down.status == 502)
            #expect(down.headers["content-type"] == "application/problem+json")
            #expect(try jsonObject(down.body)["category"] as? String == "dependency")
            let ready = try await call(client, gateway.baseURL + "/health/ready")
            #expect(ready.status == 503)
            #expect(ready.body.contains("upstream:audit"))
            let stillUp = try await call(client, gateway.baseURL + "/api/v1/system/services/users")
            #expect(stillUp.status == 200)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [audit, users, gateway] { await server.stop() }
    }
}

/// A small check of the Prometheus text exposition format, line by line.
enum PrometheusText {
    static var sample: Regex<(Substring, Substring?, Substring?, Substring?, Substring)> { /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?([0-9.eE+-]+|NaN|\+Inf|-Inf)$/ }
    static var comment: Regex<(Substring, Substring)> { /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/ }

    static func invalidLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            line.wholeMatch(of: sample) == nil && line.wholeMatch(of: comment) == nil
        }
    }
}
