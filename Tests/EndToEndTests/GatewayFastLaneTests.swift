import AsyncHTTPClient
import Foundation
import Testing

/// The gateway's fast lane between real processes: a GET or POST whose token the gateway
/// verified before is answered as the router would answer it, in order with the router's answers
/// on one connection, and refused limits and a dead upstream become the same problems.
@Suite(.serialized) struct GatewayFastLaneTests {
    static let upstreamServices = ["auth", "users"]

    static func gateway(to main: ServerProcess, _ extra: [String] = []) async throws -> ServerProcess {
        try await ServerProcess.start(["--services", "gateway"] + upstreamServices.flatMap { ["--upstream", "\($0)=\(main.baseURL)"] } + extra)
    }

    static func token(_ client: HTTPClient, via gateway: ServerProcess) async throws -> String {
        let login = try await send(client, gateway.baseURL + "/api/v1/auth/login", token: nil, key: nil,
                                   body: #"{"email": "admin@demo.local", "password": "demo-passwort-123"}"#)
        return try #require(try jsonObject(login.body)["access_token"] as? String, "\(login.body)")
    }

    /// `gateway_fast_lane_requests_total` by outcome, from the gateway's `/metrics`.
    static func laneCounts(_ client: HTTPClient, _ gateway: ServerProcess) async throws -> [String: Int] {
        let text = try await call(client, gateway.baseURL + "/metrics").body
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("gateway_fast_lane_requests_total{") {
            let outcome = line.split(separator: "\"")[1]
            counts[String(outcome)] = Int(line.split(separator: " ").last ?? "")
        }
        return counts
    }

    @Test func aVerifiedGetTakesTheLaneAndIsAnsweredAsTheRouterWouldAnswerIt() async throws {
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let lane = try await Self.gateway(to: main, ["--rate-limit", "user=1000/1s"])
        let router = try await Self.gateway(to: main, ["--rate-limit", "user=1000/1s", "--gateway-fast-lane", "off"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await Self.token(client, via: lane)
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let headers = [("Authorization", "Bearer \(token)"), ("X-Request-ID", "lane-check"), ("traceparent", "00-\(traceID)-00f067aa0ba902b7-01")]
            var answers: [[(status: Int, headers: [String: String], body: String)]] = []
            for gateway in [lane, router] {
                // The first call verifies the token on the router path; the second may take the lane.
                answers.append([
                    try await call(client, gateway.baseURL + "/api/v1/users/me", headers: headers),
                    try await call(client, gateway.baseURL + "/api/v1/users/me", headers: headers),
                ])
            }
            let (fromLane, fromRouter) = (answers[0][1], answers[1][1])
            #expect(fromLane.status == 200 && fromLane.body == fromRouter.body, "\(fromLane.body)")
            #expect(Set(fromLane.headers.keys) == Set(fromRouter.headers.keys), "the same fields: \(fromLane.headers) against \(fromRouter.headers)")
            #expect(fromLane.headers["x-request-id"] == "lane-check")
            #expect(fromLane.headers["traceparent"]?.contains(traceID) == true, "the caller's trace goes on")
            #expect(fromLane.headers["ratelimit"]?.hasPrefix(#""user";r="#) == true)
            #expect(fromLane.headers["x-content-type-options"] == "nosniff" && fromLane.headers["content-security-policy"] != nil)
            #expect(try await Self.laneCounts(client, lane)["forwarded", default: 0] >= 1, "the lane forwarded the second call")
            #expect(try await Self.laneCounts(client, router).isEmpty, "a gateway with the lane off has none")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [lane, router, main] { await server.stop() }
    }

    /// A POST takes the lane with its body; one over the lane's body limit takes the router, which
    /// answers 413 over the gateway's limit.
    @Test func aVerifiedPostTakesTheLaneWithItsBodyAndALargerOneTheRouter() async throws {
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let lane = try await Self.gateway(to: main, ["--max-body-bytes", "300"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await Self.token(client, via: lane)
            _ = try await call(client, lane.baseURL + "/api/v1/users/me", headers: [("Authorization", "Bearer \(token)")])
            let forwarded = try await Self.laneCounts(client, lane)["forwarded", default: 0]
            let user = #"{"email": "lane@nord.example", "name": "Lane", "roles": ["sales"], "password": "ein-gutes-passwort"}"#
            let created = try await send(client, lane.baseURL + "/api/v1/users", token: token, key: "lane-1", body: user)
            #expect(created.status == 201 && created.body.contains("lane@nord.example"), "\(created.status) \(created.body)")
            let again = try await send(client, lane.baseURL + "/api/v1/users", token: token, key: "lane-2", body: user)
            #expect(again.status == 409, "the service's answer to a taken email, through the lane: \(again.status) \(again.body)")
            let invalid = try await send(client, lane.baseURL + "/api/v1/users", token: token, key: nil, body: #"{"email": "x"}"#)
            #expect(invalid.status == 400 || invalid.status == 422, "\(invalid.status) \(invalid.body)")
            #expect(try await Self.laneCounts(client, lane)["forwarded", default: 0] == forwarded + 3)

            let padded = #"{"email": "big@nord.example", "name": "\#(String(repeating: "x", count: 300))", "roles": ["sales"]}"#
            let tooLarge = try await send(client, lane.baseURL + "/api/v1/users", token: token, key: nil, body: padded)
            #expect(tooLarge.status == 413, "\(tooLarge.status) \(tooLarge.body)")
            #expect(try await Self.laneCounts(client, lane)["forwarded", default: 0] == forwarded + 3, "the router took it")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [lane, main] { await server.stop() }
    }

    @Test func pipelinedRequestsAreAnsweredInTheOrderTheyCameWhetherTheLaneOrTheRouterAnswers() async throws {
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let lane = try await Self.gateway(to: main)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await Self.token(client, via: lane)
            _ = try await call(client, lane.baseURL + "/api/v1/users/me", headers: [("Authorization", "Bearer \(token)")])
            let me = "GET /api/v1/users/me HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer \(token)\r\nX-Request-ID: "
            let login = #"{"email": "admin@demo.local", "password": "demo-passwort-123"}"#
            let requests = me + "first\r\n\r\n" + "GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n"
                + "POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: \(login.utf8.count)\r\n\r\n\(login)"
                + me + "fourth\r\n\r\n"
            let answers = try RawHTTPConnection(port: lane.port).exchange(requests, answers: 4)
            #expect(answers.map(\.status) == [200, 200, 200, 200], "\(answers)")
            #expect(answers[0].headers["x-request-id"] == "first" && answers[3].headers["x-request-id"] == "fourth")
            #expect(answers[0].body.contains("admin@demo.local") && answers[3].body.contains("admin@demo.local"))
            #expect(answers[2].body.contains("access_token"), "the login's answer is third: \(answers[2].body)")
            // The fourth came while the router owed the login's answer, so it followed it there.
            #expect(try await Self.laneCounts(client, lane)["forwarded", default: 0] == 1)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [lane, main] { await server.stop() }
    }

    @Test func aUsedUpLimitIsA429AndADeadUpstreamA503FromTheLane() async throws {
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let limited = try await Self.gateway(to: main, ["--rate-limit", "user=2/60s"])
        let open = try await Self.gateway(to: main)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await Self.token(client, via: limited)
            let headers = [("Authorization", "Bearer \(token)")]
            let statuses = [
                try await call(client, limited.baseURL + "/api/v1/users/me", headers: headers).status,
                try await call(client, limited.baseURL + "/api/v1/users/me", headers: headers).status,
            ]
            #expect(statuses == [200, 200])
            let refused = try await call(client, limited.baseURL + "/api/v1/users/me", headers: headers)
            #expect(refused.status == 429 && refused.headers["retry-after"] != nil && refused.headers["content-type"] == "application/problem+json")
            #expect(refused.headers["x-content-type-options"] == "nosniff", "security headers on the lane's problems too")
            #expect(try await Self.laneCounts(client, limited)["answered", default: 0] == 1, "the lane refused it itself")

            #expect(try await call(client, open.baseURL + "/api/v1/users/me", headers: headers).status == 200)
            await main.stop()
            let dead = try await call(client, open.baseURL + "/api/v1/users/me", headers: headers)
            #expect(dead.status == 503 && dead.headers["content-type"] == "application/problem+json", "\(dead.status) \(dead.body)")
            #expect(try await Self.laneCounts(client, open)["retried", default: 0] >= 1, "the lane handed the failed call to the router")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [limited, open, main] { await server.stop() }
    }

    @Test(.enabled(if: RedisServer.isInstalled, "needs redis-server (scripts/redis installs it)"))
    func withTheLimitInRedisTwoGatewaysLanesCountOneBudget() async throws {
        let redis = try await RedisServer.start()
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let limits = ["--redis-url", "\(redis.url)?key_prefix=lane:", "--rate-limit", "user=6/1m"]
        let one = try await Self.gateway(to: main, limits)
        let other = try await Self.gateway(to: main, limits)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let headers = [("Authorization", "Bearer \(try await Self.token(client, via: one))")]
            var answers: [(status: Int, headers: [String: String], body: String)] = []
            // The first call to each replica verifies the token on the router's path; the lane takes the rest.
            for n in 0..<8 { answers.append(try await call(client, (n % 2 == 0 ? one : other).baseURL + "/api/v1/users/me", headers: headers)) }
            #expect(answers.map(\.status) == [200, 200, 200, 200, 200, 200, 429, 429], "six between both replicas")
            #expect(answers[5].headers["ratelimit"]?.hasPrefix(#""user";r=0;"#) == true, "\(answers[5].headers)")
            #expect(answers[6].headers["retry-after"] != nil && answers[6].headers["content-type"] == "application/problem+json")
            var lanes: [String: Int] = [:]
            for gateway in [one, other] { lanes.merge(try await Self.laneCounts(client, gateway), uniquingKeysWith: +) }
            #expect(lanes["forwarded"] == 4 && lanes["answered"] == 2, "the lanes forwarded four and refused two: \(lanes)")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        for server in [one, other, main] { await server.stop() }
        await redis.stop()
    }

    @Test func aReplicasFailingAnswerGoesToTheRouterWhoseRetriesTakeIt() async throws {
        let main = try await ServerProcess.start(["--services", "auth,users", "--demo", "--bcrypt-cost", "4"])
        let failing = try await StandInUpstream.start(answering: .serviceUnavailable)
        let gateway = try await ServerProcess.start(
            ["--services", "gateway", "--upstream", "auth=\(main.baseURL)", "--upstream", "users=\(failing.baseURL)"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let headers = [("Authorization", "Bearer \(try await Self.token(client, via: gateway))")]
            #expect(try await call(client, gateway.baseURL + "/api/v1/users/me", headers: headers).status == 503, "the router verifies the token")
            let before = failing.received.count
            let answer = try await call(client, gateway.baseURL + "/api/v1/users/me", headers: headers)
            #expect(answer.status == 503)
            #expect(failing.received.count - before >= 2, "the lane's attempt and the router's")
            #expect(try await Self.laneCounts(client, gateway)["retried", default: 0] == 1)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await gateway.stop()
        await failing.stop()
        await main.stop()
    }
}

/// One plain TCP connection to a loopback port, for requests an HTTP client would not pipeline.
struct RawHTTPConnection {
    let port: Int

    struct Answer: CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: String
        var description: String { "\(status) \(body.prefix(120))" }
    }

    /// Writes `requests` in one go and reads `answers` answers (each with a Content-Length), at most 10 s.
    func exchange(_ requests: String, answers count: Int) throws -> [Answer] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("cannot connect to port \(port)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(requests.utf8)
        guard bytes.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw Failure("short write") }
        var received: [UInt8] = []
        var answers: [Answer] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while answers.count < count {
            if let (answer, used) = Self.parse(received) {
                answers.append(answer)
                received.removeFirst(used)
                continue
            }
            let read = recv(socket, &buffer, buffer.count, 0)
            guard read > 0 else { throw Failure("the connection ended after \(answers.count) answers") }
            received += buffer[0..<read]
        }
        return answers
    }

    /// The first complete answer in `bytes` and how many bytes it took.
    static func parse(_ bytes: [UInt8]) -> (Answer, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, bytes.count - 4)).first(where: { bytes.count >= $0 + 4 && Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length, let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return (Answer(status: status, headers: headers, body: String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)), end + 4 + length)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
