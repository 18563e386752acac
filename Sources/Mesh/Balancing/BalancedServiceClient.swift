import ERPKernel
import NIOCore
import ServiceRuntime
import Synchronization

/// Spreads calls to a service over its replicas.
///
/// A call first gets a version from the traffic split (a rule, else the weights). Among that
/// version's replicas that pass their health checks and whose circuit lets a call through, it
/// takes the less busy of two drawn at random (power of two choices on outstanding calls). When
/// that version has none left, the other versions serve; when no replica passes its health
/// checks, any whose circuit admits a call is tried, since a check can be stale. Only when every
/// circuit is open does the call fail at once, with 503 `circuit_open`.
public final class BalancedServiceClient: ServiceClient {
    public let service: ServiceName
    public let replicas: [Replica]
    private let split: Mutex<TrafficSplit>

    public init(service: ServiceName, replicas: [Replica], split: TrafficSplit = TrafficSplit()) {
        precondition(!replicas.isEmpty, "a balanced service needs a replica")
        self.service = service
        self.replicas = replicas
        self.split = Mutex(split)
        isReachedOverHTTP = replicas.allSatisfy { $0.client is HTTPServiceClient }
    }

    public var address: String { replicas.map(\.address).joined(separator: ",") }

    /// Takes effect for the next call; calls under way finish where they are.
    public func update(split newSplit: TrafficSplit) { split.withLock { $0 = newSplit } }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        let version = split.withLock { $0.version(for: request.headers) }
        return try await choose(version: version).send(request, trace: trace, timeout: timeout)
    }

    /// Whether every replica is reached over HTTP, so `call` can make calls without a task.
    public let isReachedOverHTTP: Bool

    /// `send` without a task, for the gateway's fast lane; nil when a replica is not reached over HTTP.
    /// - Throws: 503 `circuit_open` when every replica's circuit is open, as `send` does.
    public func call(_ request: ServiceRequest, trace: TraceContext, timeout: Duration, near loop: any EventLoop) throws -> EventLoopFuture<ServiceResponse>? {
        // Checked before choosing: choosing takes a half-open circuit's one probe.
        guard isReachedOverHTTP else { return nil }
        let version = split.withLock { $0.version(for: request.headers) }
        return try choose(version: version).call(request, trace: trace, timeout: timeout, near: loop)
    }

    func choose(version: String?) throws -> Replica {
        let admitted = replicas.filter { $0.circuit.wait() == nil }
        let healthy = admitted.filter(\.isHealthy)
        let candidates = [healthy.filter { $0.version == version }, healthy, admitted].first { !$0.isEmpty } ?? []
        guard !candidates.isEmpty else {
            let wait = replicas.compactMap { $0.circuit.wait() }.min() ?? .seconds(1)
            throw Problem.circuitOpen(service.rawValue, retryAfter: wait)
        }
        let chosen = Self.lessBusyOfTwo(candidates)
        // Another call may have taken the half-open probe meanwhile; then this one waits its turn.
        if let wait = chosen.circuit.admit() { throw Problem.circuitOpen(service.rawValue, retryAfter: wait) }
        return chosen
    }

    static func lessBusyOfTwo(_ candidates: [Replica]) -> Replica {
        guard candidates.count > 1 else { return candidates[0] }
        let first = Int.random(in: 0..<candidates.count)
        var second = Int.random(in: 0..<(candidates.count - 1))
        if second >= first { second += 1 }
        return candidates[second].outstanding < candidates[first].outstanding ? candidates[second] : candidates[first]
    }
}
