import ERPKernel
import HTTPTypes
import Mesh
import NIOCore
import Platform
import ServiceRuntime
import Synchronization
import Testing

/// The mesh client's retries, retry budget and circuit breaker per replica, around an upstream
/// that fails as told and counts what reaches it.
@Suite struct ResilientClientTests {
    final class Upstream: ServiceClient {
        let service = ServiceName.users
        let address = "http://upstream"
        /// What each call does: a status to answer, or nil to be unreachable.
        let answer: Mutex<Int?>
        let calls = Atomic<Int>(0)
        let deadlines = Mutex<[String?]>([])

        init(answer: Int?) { self.answer = Mutex(answer) }

        func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
            calls.add(1, ordering: .relaxed)
            deadlines.withLock { $0.append(request.headers[.requestDeadline]) }
            guard let status = answer.withLock({ $0 }) else { throw Problem.upstreamUnavailable("users", detail: "refused") }
            return ServiceResponse(status: HTTPResponse.Status(code: status), headers: [:], body: ByteBuffer())
        }
    }

    private func client(
        _ upstream: Upstream, failures: Int = 1_000, ratio: Double = 2, open: Duration = .seconds(5)
    ) -> (client: ResilientServiceClient, circuit: CircuitBreaker) {
        let circuit = CircuitBreaker(settings: .init(failureThreshold: failures, openDuration: open, failureRatio: ratio))
        let balancer = BalancedServiceClient(service: .users, replicas: [Replica(client: upstream, circuit: circuit)])
        return (ResilientServiceClient(balancer, metrics: MetricsRegistry()), circuit)
    }

    private func call(_ client: ResilientServiceClient, _ method: HTTPRequest.Method = .get, key: String? = nil) async -> Int {
        var headers = HTTPFields()
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        do {
            return try await client.send(ServiceRequest(method: method, path: "/api/v1/users", headers: headers), trace: .generate(), timeout: .seconds(5)).status.code
        } catch let problem as Problem {
            return problem.status
        } catch {
            return -1
        }
    }

    @Test func aPostWithoutIdempotencyKeyIsSentOnceAndOneWithAKeyIsRetried() async {
        let upstream = Upstream(answer: 503)
        let resilient = client(upstream).client
        #expect(await call(resilient, .post) == 503)
        #expect(upstream.calls.load(ordering: .relaxed) == 1, "never sent twice without a key")
        #expect(await call(resilient, .post, key: "k-1") == 503)
        #expect(upstream.calls.load(ordering: .relaxed) == 1 + 3)
        #expect(await call(resilient, .get) == 503)
        #expect(upstream.calls.load(ordering: .relaxed) == 4 + 3)
    }

    @Test func aRetrySucceedsWhenTheUpstreamComesBack() async {
        let upstream = Upstream(answer: nil)
        let resilient = client(upstream).client
        let call = Task { await self.call(resilient) }
        // The first try fails at once; the service is back before the second.
        while upstream.calls.load(ordering: .relaxed) == 0 { await Task.yield() }
        upstream.answer.withLock { $0 = 200 }
        #expect(await call.value == 200)
    }

    @Test func retriesAddAtMostAFifthOnceTheReserveIsSpent() async {
        let upstream = Upstream(answer: 502)
        let resilient = client(upstream).client
        for _ in 0..<200 { _ = await call(resilient) }
        let retries = upstream.calls.load(ordering: .relaxed) - 200
        #expect(retries <= 10 + 200 / 5, "\(retries) retries")
        #expect(retries >= 40)
    }

    @Test func theCircuitOpensFailsFastAndAProbeClosesIt() async throws {
        let upstream = Upstream(answer: nil)
        let (resilient, circuit) = client(upstream, failures: 3, open: .milliseconds(200))
        #expect(await call(resilient, .post) == 503)
        #expect(await call(resilient, .post) == 503)
        #expect(await call(resilient, .post) == 503)
        #expect(circuit.state == .open)
        let before = upstream.calls.load(ordering: .relaxed)
        #expect(await call(resilient) == 503)
        #expect(upstream.calls.load(ordering: .relaxed) == before, "an open circuit does not call")
        upstream.answer.withLock { $0 = 200 }
        try await Task.sleep(for: .milliseconds(250))
        #expect(await call(resilient) == 200, "the probe goes through")
        #expect(circuit.state == .closed)
    }

    @Test func theCallersDeadlineBoundsTheCallAndTravelsDownstream() async throws {
        let upstream = Upstream(answer: 200)
        let resilient = client(upstream).client
        let status = await RequestDeadline.$current.withValue(.now + .seconds(2)) { await call(resilient) }
        #expect(status == 200)
        let sent = try #require(upstream.deadlines.withLock { $0.first } ?? nil)
        #expect((1...2_000).contains(Int(sent) ?? 0), "the 2 s the caller has, not the call's 5 s: \(sent)")

        let late = await RequestDeadline.$current.withValue(.now - .milliseconds(1)) { await call(resilient) }
        #expect(late == 504)
        #expect(upstream.calls.load(ordering: .relaxed) == 1, "a call past its deadline is not started")
    }
}
