import ERPKernel
import Foundation
import Gateway
import Hummingbird
import Mesh
import NIOCore
import Platform
import ServiceRuntime

/// How the services of a process reach each other and check their callers.
extension ProcessAssembly {
    /// Connections to the replicas of every service this process calls but does not host.
    /// - Throws: `MeshTLSError` for an `https` upstream without this process's certificate.
    func makeUpstreamPools(tls: MeshTLS?) throws -> [ServiceName: [(replica: UpstreamReplica, pool: UpstreamConnectionPool)]] {
        var pools: [ServiceName: [(replica: UpstreamReplica, pool: UpstreamConnectionPool)]] = [:]
        for (service, replicas) in configuration.upstreams where !configuration.services.contains(service) {
            pools[service] = try replicas.map { replica in
                (replica, try UpstreamConnectionPool(baseURL: replica.url, tls: tls, maximumIdle: configuration.upstreamConnections))
            }
        }
        return pools
    }

    /// The clients of every service, and the balancers among them (the services in other
    /// processes), whose traffic split the gateway policy sets and whose replicas are probed.
    func makeDirectory(
        modules: [any ServiceModule], metrics: MetricsRegistry,
        upstreams: [ServiceName: [(replica: UpstreamReplica, pool: UpstreamConnectionPool)]], verifier: any CredentialVerifier,
        assertions: IdentityAssertion
    ) -> (directory: ServiceDirectory, balancers: [ServiceName: BalancedServiceClient]) {
        var clients: [ServiceName: any ServiceClient] = [:]
        for module in modules {
            let router = ServiceRouter.make(
                metrics: metrics,
                options: .init(
                    accessLog: false, maximumBodyBytes: configuration.maximumBodyBytes, authentication: verifier, assertions: assertions)
            ) { module.addRoutes(to: $0) }
            clients[module.name] = LocalServiceClient(service: module.name, router: router, logger: logger)
        }
        var balancers: [ServiceName: BalancedServiceClient] = [:]
        let circuit = CircuitBreaker.Settings(failureThreshold: configuration.circuitFailures, openDuration: configuration.circuitOpenDuration)
        for (service, pools) in upstreams where clients[service] == nil {
            let replicas = pools.map { upstream in
                let client = HTTPServiceClient(service: service, version: upstream.replica.version, pool: upstream.pool, metrics: metrics)
                metrics.recordCircuitState(service: service.rawValue, replica: client.address, state: CircuitBreaker.State.closed.rawValue)
                return Replica(client: client, version: upstream.replica.version, circuit: CircuitBreaker(settings: circuit) { state in
                    metrics.recordCircuitState(service: service.rawValue, replica: client.address, state: state.rawValue)
                })
            }
            let balancer = BalancedServiceClient(
                service: service, replicas: replicas, split: configuration.gatewayPolicy?.policy.splits[service] ?? TrafficSplit())
            balancers[service] = balancer
            clients[service] = ResilientServiceClient(balancer, metrics: metrics)
        }
        return (ServiceDirectory(clients: clients, balancers: balancers), balancers)
    }

    /// Takes a reloaded gateway policy into use: the splits of the services balanced here and
    /// the access rules. A split for a service that runs in this process has nothing to split.
    func apply(_ policy: GatewayPolicy, balancers: [ServiceName: BalancedServiceClient], access: GatewayAccess) {
        for (service, balancer) in balancers { balancer.update(split: policy.splits[service] ?? TrafficSplit()) }
        for service in policy.splits.keys where balancers[service] == nil {
            logger.warning("gateway policy splits a service without upstream replicas", metadata: ["service.name": .string(service.rawValue)])
        }
        access.update(rules: policy.access)
    }

    /// Tokens are checked in every service against the auth service's published keys; API keys
    /// are looked up at the auth service.
    func makeVerifier(auth: @escaping @Sendable () -> any ServiceClient) -> any CredentialVerifier {
        let tokens = JWTVerifier {
            let response = try await auth().send(ServiceRequest(path: "/.well-known/jwks.json"), trace: .generate(), timeout: .seconds(2))
            guard response.status == .ok else { throw Problem.upstreamUnavailable("auth", detail: "JWKS answered \(response.status.code)") }
            return String(buffer: response.body)
        }
        let apiKeys = APIKeyVerifier { key in
            let body = try JSONCoding.encoder.encode(["key": key])
            let response = try await auth().send(
                ServiceRequest(
                    method: .post, path: ServiceName.auth.internalPathPrefix + "/api-keys/introspect",
                    headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)),
                trace: .generate(), timeout: .seconds(2))
            if response.status == .unauthorized { return nil }
            guard response.status == .ok else { throw Problem.upstreamUnavailable("auth", detail: "API key check answered \(response.status.code)") }
            return try JSONCoding.decoder.decode(APIKeyVerifier.Description.self, from: Data(response.body.readableBytesView))
        }
        return CredentialRouter(tokens: tokens, apiKeys: apiKeys)
    }

    /// In split mode the gateway is ready when every configured upstream answers its liveness.
    func upstreamChecks(_ directory: ServiceDirectory) -> [HealthCheck] {
        configuration.upstreams.keys.filter { !configuration.services.contains($0) }.sorted().map { service in
            HealthCheck(name: "upstream:\(service.rawValue)") {
                let response = try await directory.client(for: service).send(
                    ServiceRequest(path: "/health/live"), trace: .generate(), timeout: .seconds(1))
                guard response.status == .ok else { throw Problem.dependencyNotReady([service.rawValue]) }
            }
        }
    }
}
