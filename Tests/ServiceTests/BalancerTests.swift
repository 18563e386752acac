import ERPKernel
import HTTPTypes
@testable import Mesh
import Logging
import NIOCore
import Platform
import ServiceRuntime
import Synchronization
import Testing

/// The balancer's choices among replicas: the less busy of two, never one that failed its
/// health checks while another passes, and the traffic split's version first.
@Suite struct BalancerTests {
    /// Answers 200 at once, or holds each call until `release()`.
    final class Upstream: ServiceClient {
        let service = ServiceName.users
        let address: String
        let calls = Atomic<Int>(0)
        let holding: Bool
        private let held = Mutex<[CheckedContinuation<Void, Never>]>([])

        init(_ address: String, holding: Bool = false) {
            self.address = address
            self.holding = holding
        }

        func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
            calls.add(1, ordering: .relaxed)
            if holding { await withCheckedContinuation { continuation in held.withLock { $0.append(continuation) } } }
            return ServiceResponse(status: .ok, headers: [:], body: ByteBuffer())
        }

        func release() { for continuation in held.withLock({ held in defer { held.removeAll() }; return held }) { continuation.resume() } }
    }

    static func replica(_ upstream: Upstream, version: String = Replica.defaultVersion) -> Replica {
        Replica(client: upstream, version: version, circuit: CircuitBreaker())
    }

    func send(_ balancer: BalancedServiceClient, headers: HTTPFields = [:]) async throws {
        _ = try await balancer.send(ServiceRequest(path: "/api/v1/users", headers: headers), trace: .generate(), timeout: .seconds(1))
    }

    @Test func aBusyReplicaIsPassedOverForAnIdleOne() async throws {
        let busy = Upstream("http://busy", holding: true)
        let idle = Upstream("http://idle")
        let balancer = BalancedServiceClient(service: .users, replicas: [Self.replica(busy), Self.replica(idle)])
        // Calls until one is held at the busy replica; the idle one answers the others at once.
        var held: [Task<Void, any Error>] = []
        while busy.calls.load(ordering: .relaxed) == 0 {
            let total = busy.calls.load(ordering: .relaxed) + idle.calls.load(ordering: .relaxed)
            held.append(Task { try await send(balancer) })
            while busy.calls.load(ordering: .relaxed) + idle.calls.load(ordering: .relaxed) == total { await Task.yield() }
        }
        let before = idle.calls.load(ordering: .relaxed)
        for _ in 0..<20 { try await send(balancer) }
        #expect(idle.calls.load(ordering: .relaxed) == before + 20, "every new call went to the replica with nothing outstanding")
        busy.release()
        for task in held { try await task.value }
    }

    @Test func anUnhealthyReplicaGetsNoCallsWhileAnotherIsHealthyAndTheSplitPicksTheVersion() async throws {
        let stable = Upstream("http://stable")
        let canary = Upstream("http://canary")
        let canaryReplica = Self.replica(canary, version: "canary")
        let balancer = BalancedServiceClient(
            service: .users, replicas: [Self.replica(stable), canaryReplica],
            split: TrafficSplit(rules: [.init(source: .cookie("v"), value: "b", version: "canary")], weights: [("stable", 1)]))
        for _ in 0..<10 { try await send(balancer) }
        #expect(stable.calls.load(ordering: .relaxed) == 10, "the weights give everything to stable")
        for _ in 0..<5 { try await send(balancer, headers: [.cookie: "a=1; v=b"]) }
        #expect(canary.calls.load(ordering: .relaxed) == 5, "the cookie rule picks the canary")

        canaryReplica.recordProbe(passed: false)
        canaryReplica.recordProbe(passed: false)
        for _ in 0..<5 { try await send(balancer, headers: [.cookie: "v=b"]) }
        #expect(canary.calls.load(ordering: .relaxed) == 5, "an unhealthy canary is passed over; stable serves")
        canaryReplica.recordProbe(passed: true)
        try await send(balancer, headers: [.cookie: "v=b"])
        #expect(canary.calls.load(ordering: .relaxed) == 6, "one passed check brings it back")
    }

    @Test func aPassedHealthCheckLetsAnOpenCircuitProbeAtOnce() async throws {
        let upstream = Upstream("http://back")
        let circuit = CircuitBreaker(settings: .init(failureThreshold: 1, openDuration: .seconds(60)))
        let replica = Replica(client: upstream, circuit: circuit)
        circuit.record(failure: true)
        #expect(circuit.state == .open && circuit.wait() != nil, "open for a minute")
        let balancer = BalancedServiceClient(service: .users, replicas: [replica])
        await HealthProber(clients: [balancer], metrics: MetricsRegistry(), logger: Logger(label: "test")).probe(replica, of: .users)
        #expect(circuit.wait() == nil, "the check saw it answer: the next call is the probe")
        try await send(balancer)
        #expect(circuit.state == .closed)
    }
}
