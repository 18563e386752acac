import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The audit service in a process of its own, fed over Redis Streams: what the transactions
/// process does arrives in the trail of the other process.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"] != nil, "needs NEUROERP_TEST_REDIS_URL"))
struct SplitAuditTests {
    @Test func actionsInOneProcessReachTheTrailOfTheAuditProcessOverRedis() async throws {
        let base = try #require(ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"])
        let redis = base + (base.contains("?") ? "&" : "?") + "key_prefix=neuroerp-e2e-\(UUID().uuidString.prefix(8)):"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-split-audit-\(UUID().uuidString)").path
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Strom eG", "--admin-email", "admin@strom.example", "--admin-password", "strom-passwort-123",
             "--data-dir", directory, "--bcrypt-cost", "4"])
        #expect(created.status == 0, "\(created.output)")
        let main = try await ServerProcess.start(
            ["--services", "auth,users,transactions,compliance", "--redis-url", redis, "--bcrypt-cost", "4"], dataDirectory: directory)
        let auditDirectory = directory + "-audit"
        let auditArguments = ["--services", "audit", "--redis-url", redis, "--upstream", "auth=\(main.baseURL)"]
        var audit = try await ServerProcess.start(auditArguments, dataDirectory: auditDirectory)
        let upstreams = ["auth", "users", "transactions", "compliance"].map { "\($0)=\(main.baseURL)" } + ["audit=\(audit.baseURL)"]
        let gateway = try await ServerProcess.start(["--services", "gateway"] + upstreams.flatMap { ["--upstream", $0] })
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@strom.example", "password": "strom-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            func article(_ sku: String) async throws -> String {
                let response = try await send(client, gateway.baseURL + "/api/v1/articles", token: token, key: nil,
                                              body: #"{"sku": "\#(sku)", "name": "Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
                #expect(response.status == 201, "\(response.body)")
                return try #require(try jsonObject(response.body)["id"] as? String)
            }
            // Asked of the audit process itself: a restarted one listens on a new port.
            func actions(of id: String) async throws -> [String] {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    let trail = try await call(
                        client, audit.baseURL + "/api/v1/audit/events?resourceId=\(id)", headers: [("Authorization", "Bearer \(token)")])
                    let actions = (try jsonObject(trail.body)["data"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                    if !actions.isEmpty { return actions }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return []
            }

            // The audit process learns of it through Redis only: it shares no database with main.
            let first = try await article("STROM-1")
            #expect(try await actions(of: first) == ["transactions.article.created"])
            let routed = try await call(
                client, gateway.baseURL + "/api/v1/audit/events?resourceId=\(first)", headers: [("Authorization", "Bearer \(token)")])
            #expect(routed.status == 200 && routed.body.contains(first), "\(routed.body)")

            // While the audit process is down the events wait in the stream; started again, it
            // takes each of them once.
            audit.signal(SIGTERM)
            #expect(try await audit.waitForExit() == 0)
            let whileDown = try await article("STROM-2")
            audit = try await ServerProcess.start(auditArguments, dataDirectory: auditDirectory)
            #expect(try await actions(of: whileDown) == ["transactions.article.created"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await actions(of: whileDown) == ["transactions.article.created"], "delivered once")
            let verified = try await call(client, audit.baseURL + "/api/v1/audit/verify", headers: [("Authorization", "Bearer \(token)")])
            #expect(try jsonObject(verified.body)["valid"] as? Bool == true, "\(verified.body)")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [gateway, audit, main] { await server.stop() }
    }

    @Test func whileRedisIsDownRequestsSucceedAndTheTrailCatchesUpWhenItIsBack() async throws {
        let redis = try RedisServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-redis-fault-\(UUID().uuidString)").path
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Ausfall eG", "--admin-email", "admin@ausfall.example", "--admin-password", "ausfall-passwort-123",
             "--data-dir", directory, "--bcrypt-cost", "4"])
        #expect(created.status == 0, "\(created.output)")
        let server = try await ServerProcess.start(["--redis-url", redis.url, "--bcrypt-cost", "4"], dataDirectory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let login = try await send(client, server.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                       body: #"{"email": "admin@ausfall.example", "password": "ausfall-passwort-123"}"#)
            let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
            func article(_ sku: String) async throws -> String {
                let response = try await send(client, server.baseURL + "/api/v1/articles", token: token, key: nil,
                                              body: #"{"sku": "\#(sku)", "name": "Saatgut", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
                #expect(response.status == 201, "\(response.body)")
                return try #require(try jsonObject(response.body)["id"] as? String)
            }
            func trail(_ id: String) async throws -> Int {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    let answer = try await call(
                        client, server.baseURL + "/api/v1/audit/events?resourceId=\(id)", headers: [("Authorization", "Bearer \(token)")])
                    let count = (try jsonObject(answer.body)["data"] as? [Any])?.count ?? 0
                    if count > 0 { return count }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return 0
            }
            #expect(try await trail(try await article("VOR-1")) == 1)

            // Redis goes away: creating master data goes on, its event waits in the outbox.
            redis.stop()
            let during = try await article("WAEHREND-1")
            let ready = try await call(client, server.baseURL + "/health/live")
            #expect(ready.status == 200)

            // Redis is back on the same port and file: the event arrives, without a restart.
            try redis.restart()
            #expect(try await trail(during) == 1)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await server.stop()
        redis.stop()
    }
}

/// A Redis server of the test's own, so the test can stop and start it.
final class RedisServer: Sendable {
    let port: Int
    let directory: String
    var url: String { "redis://127.0.0.1:\(port)" }

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
    }

    static func start() throws -> RedisServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = RedisServer(port: Int.random(in: 20_000...29_999), directory: directory)
        try server.restart()
        return server
    }

    /// Starts (again) on the same port and append-only file, and waits until it answers.
    func restart() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", directory, "--save", "",
            "--appendonly", "yes", "--pidfile", "\(directory)/redis.pid", "--logfile", "\(directory)/redis.log",
        ]
        try launch(process)
        process.waitUntilExit()
        for _ in 0..<100 where !answers() { Thread.sleep(forTimeInterval: 0.05) }
    }

    func stop() {
        guard let text = try? String(contentsOfFile: "\(directory)/redis.pid", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        kill(pid, SIGTERM)
        for _ in 0..<100 where answers() { Thread.sleep(forTimeInterval: 0.05) }
    }

    private func answers() -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
