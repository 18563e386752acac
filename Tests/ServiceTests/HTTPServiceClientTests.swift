import ERPKernel
import Hummingbird
import HummingbirdTesting
@testable import Mesh
import NIOCore
import NIOHTTP1
import NIOPosix
import Platform
import ServiceRuntime
import Testing

/// The mesh's own HTTP/1.1 client against a live server: answers pass through, connections are
/// kept and reused, and a slow, oversized or vanished answer becomes the problem the gateway passes on.
@Suite struct HTTPServiceClientTests {
    static func app() -> some ApplicationProtocol {
        let router = Router()
        router.get("/echo") { request, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: request.uri.query ?? "")))
        }
        router.post("/echo") { request, _ in
            Response(status: .created, body: .init(byteBuffer: try await request.body.collect(upTo: 1 << 20)))
        }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .milliseconds(500))
            return "late"
        }
        router.get("/big") { _, _ in String(repeating: "x", count: 4_096) }
        return Application(router: router)
    }

    func client(port: Int) throws -> (HTTPServiceClient, UpstreamConnectionPool) {
        let pool = try UpstreamConnectionPool(baseURL: "http://127.0.0.1:\(port)", tls: nil, maximumAnswerBytes: 1_024)
        return (HTTPServiceClient(service: .users, pool: pool, metrics: MetricsRegistry()), pool)
    }

    func status(_ client: HTTPServiceClient, _ path: String, timeout: Duration = .seconds(2)) async -> Int {
        do {
            return try await client.send(ServiceRequest(path: path), trace: .generate(), timeout: timeout).status.code
        } catch let problem as Problem {
            return problem.status
        } catch {
            return -1
        }
    }

    @Test func answersPassThroughAndFailuresBecomeProblems() async throws {
        try await Self.app().test(.live) { live in
            let (client, pool) = try client(port: try #require(live.port))
            for n in 0..<20 {
                let answer = try await client.send(ServiceRequest(path: "/echo?n=\(n)"), trace: .generate(), timeout: .seconds(2))
                #expect(answer.status == .ok && String(buffer: answer.body) == "n=\(n)")
            }
            #expect(pool.connectionsOpened == 1, "one kept-alive connection carried the calls one after another")
            let posted = try await client.send(
                ServiceRequest(method: .post, path: "/echo", body: ByteBuffer(string: "Saatgut")), trace: .generate(), timeout: .seconds(2))
            #expect(posted.status == .created && String(buffer: posted.body) == "Saatgut")

            // On the connection whose timer the calls above set 2 s ahead; the answer would come at 500 ms.
            #expect(await status(client, "/slow", timeout: .milliseconds(100)) == 504)
            #expect(await status(client, "/big") == 502, "an answer over the limit is refused, not passed on")
            #expect(await status(client, "/echo") == 200, "the client goes on after both")
        }
        let (nobody, _) = try client(port: 1)
        #expect(await status(nobody, "/echo") == 503, "nothing listens on port 1")
    }

    @Test func aCallUsesAConnectionOnTheEventLoopItWasMadeOn() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        try await Self.app().test(.live) { live in
            let pool = try UpstreamConnectionPool(baseURL: "http://127.0.0.1:\(try #require(live.port))", tls: nil, group: group)
            defer { pool.close() }
            func call(near loop: any EventLoop) async throws {
                var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/echo?loop")
                head.headers.add(name: "Host", value: pool.authority)
                let answer = try await pool.send(head, body: nil, timeout: .seconds(2), near: loop)
                #expect(answer.head.status == .ok)
            }
            try await call(near: loops[0])
            try await call(near: loops[1])
            #expect(pool.connectionsOpened == 2, "the second loop opened its own rather than borrow the first loop's")
            for _ in 0..<3 {
                try await call(near: loops[0])
                try await call(near: loops[1])
            }
            #expect(pool.connectionsOpened == 2, "each loop reuses its own")
        }
        try await group.shutdownGracefully()
    }
}
