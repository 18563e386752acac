import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Redis stopped under running processes and started again: the services keep answering (the
/// cache bypassed, events held in the outbox, the login limit open or closed as configured) and
/// recover without a restart. Each test runs a Redis server of its own, since it stops it.
@Suite(.serialized, .enabled(if: RedisServer.isInstalled, "needs redis-server (scripts/redis installs it)"))
struct RedisOutageTests {
    @Test func servicesAnswerWhileRedisIsDownAndRecoverWhenItIsBack() async throws {
        var redis = try await RedisServer.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let open = try await Office.start(client, redis: redis, rateLimitFailure: "open")
        let closed = try await Office.start(client, redis: redis, rateLimitFailure: "closed")
        do {
            for office in [open, closed] {
                #expect(try await office.login(client) == 200)
                #expect(try await office.get(client, "/api/v1/users/me").status == 200)
            }

            await redis.stop()
            // A batch made now can only reach the compliance service through the stream.
            let batch = try await closed.newBatch(client)
            for office in [open, closed] {
                #expect(try await office.get(client, "/api/v1/users/me").status == 200, "the cache is bypassed")
            }
            #expect(try await open.login(client) == 200, "an open limit lets logins through")
            #expect(try await closed.login(client) == 429, "a closed limit holds logins back")
            // Once the profile has left the in-process tier (5 s), the lookup reaches Redis and fails.
            let failedOver = try await eventually {
                guard try await closed.get(client, "/api/v1/users/me").status == 200 else { return false }
                return try await closed.cacheLookups(client, result: "error") > 0
            }
            #expect(failedOver, "profiles were answered while their Redis lookups failed")

            redis = try await RedisServer.start(port: redis.port)
            #expect(try await eventually { try await closed.login(client) == 200 }, "the limit works again")
            #expect(try await eventually { try await closed.release(client, batch) == 200 }, "events flow again")
            let answeredBefore = try await closed.cacheLookups(client, result: "hit") + closed.cacheLookups(client, result: "miss")
            #expect(try await eventually {
                _ = try await closed.get(client, "/api/v1/users/me")
                return try await closed.cacheLookups(client, result: "hit") + closed.cacheLookups(client, result: "miss") > answeredBefore
            }, "Redis answers the cache again")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [open.server, closed.server] { await server.stop() }
        await redis.stop()
    }

    /// True once `condition` holds, trying for up to 30 s.
    private func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

/// A process with the office-facing services (auth, users, transactions, compliance) on Redis,
/// with a tenant of its own.
private struct Office {
    let server: ServerProcess
    let token: String
    let article: String
    private let email: String

    static func start(_ client: HTTPClient, redis: RedisServer, rateLimitFailure: String) async throws -> Office {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-redis-outage-\(UUID().uuidString)").path
        let email = "admin@\(rateLimitFailure).example"
        let created = try TenantCommandTests.run(
            ["tenant", "create", "--name", "Hof \(rateLimitFailure)", "--admin-email", email, "--admin-password", "hof-passwort-123",
             "--data-dir", directory, "--bcrypt-cost", "4"])
        #expect(created.status == 0, "\(created.output)")
        let server = try await ServerProcess.start(
            ["--services", "auth,users,transactions,compliance", "--redis-url", "\(redis.url)?key_prefix=\(rateLimitFailure):",
             "--rate-limit-failure", rateLimitFailure, "--bcrypt-cost", "4"],
            dataDirectory: directory)
        let login = try await send(client, server.baseURL + "/api/v1/auth/login", token: nil, key: nil, body: #"{"email": "\#(email)", "password": "hof-passwort-123"}"#)
        let token = try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
        let article = try await send(
            client, server.baseURL + "/api/v1/articles", token: token, key: nil,
            body: #"{"sku": "HOF-1", "name": "Sommergerste", "category": "seed", "baseUnit": "kg", "taxCode": "DE7"}"#)
        return Office(server: server, token: token, article: try #require(try jsonObject(article.body)["id"] as? String), email: email)
    }

    func login(_ client: HTTPClient) async throws -> Int {
        try await send(client, server.baseURL + "/api/v1/auth/login", token: nil, key: nil, body: #"{"email": "\#(email)", "password": "hof-passwort-123"}"#).status
    }

    func get(_ client: HTTPClient, _ path: String) async throws -> (status: Int, body: String) {
        let response = try await call(client, server.baseURL + path, headers: [("Authorization", "Bearer \(token)")])
        return (response.status, response.body)
    }

    func newBatch(_ client: HTTPClient) async throws -> String {
        let response = try await send(
            client, server.baseURL + "/api/v1/batches", token: token, key: nil, body: #"{"articleId": "\#(article)", "batchNumber": "SG-\#(UUID().uuidString.prefix(6))"}"#)
        #expect(response.status == 201, "\(response.body)")
        return try #require(try jsonObject(response.body)["id"] as? String)
    }

    func release(_ client: HTTPClient, _ batch: String) async throws -> Int {
        try await send(
            client, server.baseURL + "/api/v1/compliance/batches/\(batch)/status", token: token, key: nil,
            body: #"{"status": "released", "reason": "Probe bestanden"}"#).status
    }

    /// `cache_lookups_total{cache="shared",tier="l2",result=…}` of the process.
    func cacheLookups(_ client: HTTPClient, result: String) async throws -> Int {
        let metrics = try await call(client, server.baseURL + "/metrics").body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("cache_lookups_total{") && $0.contains(#"cache="shared""#) && $0.contains(#"tier="l2""#) && $0.contains(#"result="\#(result)""#) }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }
}

/// A redis-server of the test's own on a free loopback port, without persistence: started
/// again, it is empty, as a Redis that lost its memory would be.
struct RedisServer: Sendable {
    let port: Int
    private let process: ChildProcess

    var url: String { "redis://127.0.0.1:\(port)" }

    static var isInstalled: Bool {
        ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"] != nil && executable != nil
    }

    private static var executable: String? {
        ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func start(port: Int? = nil) async throws -> RedisServer {
        let port = try port ?? LoopbackPort.free()
        let process = try ChildProcess.spawn(
            try #require(executable), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
        for _ in 0..<100 {
            if LoopbackPort.accepts(port) { return RedisServer(port: port, process: process) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.signal(SIGKILL)
        throw ServerProcess.StartFailed()
    }

    /// Kills it, as a crash would.
    func stop() async {
        guard process.isRunning else { return }
        process.signal(SIGKILL)
        _ = try? await process.waitForExit()
    }
}
