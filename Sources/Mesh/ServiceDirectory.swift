import ERPKernel
import ServiceRuntime

/// Where each service of the architecture is, for the current process: in-process clients for
/// the services it hosts, HTTP clients for its configured upstreams.
public struct ServiceDirectory: Sendable {
    private let clients: [ServiceName: any ServiceClient]
    private let balancers: [ServiceName: BalancedServiceClient]

    /// - Parameter balancers: the replicas behind the clients of services reached over the mesh.
    public init(clients: [ServiceName: any ServiceClient], balancers: [ServiceName: BalancedServiceClient] = [:]) {
        self.clients = clients
        self.balancers = balancers
    }

    /// The client for `service`, or one that answers 503 when no address is configured for it.
    public func client(for service: ServiceName) -> any ServiceClient {
        clients[service] ?? UnconfiguredServiceClient(service: service)
    }

    /// The replicas of `service` when it is reached over the mesh, for calls made without a task.
    public func balancer(for service: ServiceName) -> BalancedServiceClient? { balancers[service] }
}

/// Stands in for a service this process has no address for: every call is a 503 that says so.
struct UnconfiguredServiceClient: ServiceClient {
    let service: ServiceName
    var address: String { "unconfigured" }

    func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        throw Problem.upstreamUnavailable(
            service.rawValue,
            detail: "No address is configured for the \(service.rawValue) service; start it or pass --upstream \(service.rawValue)=URL.")
    }
}
