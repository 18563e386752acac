import ERPKernel
import NIOCore
import ServiceRuntime
import Synchronization

/// One process of a service, as the balancer sees it: its client, the version it runs (for
/// traffic splitting), its own circuit (passive outlier ejection), the verdict of the last
/// active health checks, and how many calls it is handling now (for power-of-two-choices).
public final class Replica: Sendable {
    /// The label of an upstream given without one (`--upstream users=URL`).
    public static let defaultVersion = "stable"

    public let version: String
    let client: any ServiceClient
    let circuit: CircuitBreaker
    private let outstandingCalls = Atomic<Int>(0)
    private let failedProbesInARow = Atomic<Int>(0)

    /// Failed health checks in a row after which a replica gets no traffic until one passes.
    static let unhealthyAfterFailedProbes = 2

    public init(client: any ServiceClient, version: String = Replica.defaultVersion, circuit: CircuitBreaker) {
        self.client = client
        self.version = version
        self.circuit = circuit
    }

    public var address: String { client.address }
    var outstanding: Int { outstandingCalls.load(ordering: .relaxed) }
    /// The active health checks have not failed twice in a row.
    public var isHealthy: Bool { failedProbesInARow.load(ordering: .relaxed) < Self.unhealthyAfterFailedProbes }

    func recordProbe(passed: Bool) {
        if passed {
            failedProbesInARow.store(0, ordering: .relaxed)
        } else {
            failedProbesInARow.add(1, ordering: .relaxed)
        }
    }

    /// Sends through this replica, counting it as outstanding meanwhile and telling its circuit
    /// whether the replica failed (unreachable, 502, 503, 504), not whether the caller erred.
    func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        outstandingCalls.add(1, ordering: .relaxed)
        defer { outstandingCalls.subtract(1, ordering: .relaxed) }
        do {
            let response = try await client.send(request, trace: trace, timeout: timeout)
            circuit.record(failure: Self.isReplicaFailure(response.status.code))
            return response
        } catch let problem as Problem {
            circuit.record(failure: Self.isReplicaFailure(problem.status))
            throw problem
        }
    }

    /// `send` without a task, for a replica reached over HTTP; nil for any other kind of client.
    func call(_ request: ServiceRequest, trace: TraceContext, timeout: Duration, near loop: any EventLoop) -> EventLoopFuture<ServiceResponse>? {
        guard let client = client as? HTTPServiceClient else { return nil }
        outstandingCalls.add(1, ordering: .relaxed)
        return client.call(request, trace: trace, timeout: timeout, near: loop).always { [self] result in
            outstandingCalls.subtract(1, ordering: .relaxed)
            switch result {
            case .success(let response): circuit.record(failure: Self.isReplicaFailure(response.status.code))
            case .failure(let error): circuit.record(failure: Self.isReplicaFailure((error as? Problem)?.status ?? 503))
            }
        }
    }

    static func isReplicaFailure(_ status: Int) -> Bool { [502, 503, 504].contains(status) }
}
