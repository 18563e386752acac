import ERPKernel
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
    }

    public var address: String { replicas.map(\.address).joined(separator: ",") }

    /// Takes effect for the next call; calls under way finish where they are.
    public func update(split newSplit: TrafficSplit) { split.withLock { $0 = newSplit } }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        let version = split.withLock { $0.version(for: request.headers) }
        return try await choose(version: version).send(request, trace: trace, timeout: timeout)
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
