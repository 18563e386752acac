import ERPKernel
import Logging
import Platform
import ServiceLifecycle
import ServiceRuntime

/// Asks every replica of every balanced service for `/health/live` at a fixed interval; a
/// replica that fails twice in a row gets no traffic until it passes again. A passed check lets
/// an open circuit try its probe at once. Each verdict is the gauge
/// `upstream_replica_healthy{service,replica}` (1 healthy, 0 not).
public struct HealthProber: Service {
    let clients: [BalancedServiceClient]
    let interval: Duration
    let timeout: Duration
    let logger: Logger
    let metrics: MetricsRegistry

    /// - Parameters:
    ///   - interval: between two rounds of checks (default 2 s).
    ///   - timeout: for one check (default 1 s).
    public init(
        clients: [BalancedServiceClient], interval: Duration = .seconds(2), timeout: Duration = .seconds(1), metrics: MetricsRegistry,
        logger: Logger
    ) {
        self.clients = clients
        self.metrics = metrics
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await withTaskGroup(of: Void.self) { group in
                for client in clients {
                    for replica in client.replicas {
                        group.addTask { await probe(replica, of: client.service) }
                    }
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func probe(_ replica: Replica, of service: ServiceName) async {
        let wasHealthy = replica.isHealthy
        let passed: Bool
        do {
            let response = try await replica.client.send(ServiceRequest(path: "/health/live"), trace: .generate(), timeout: timeout)
            passed = response.status == .ok
        } catch {
            passed = false
        }
        replica.recordProbe(passed: passed)
        // A replica back after a crash need not sit out the rest of its open circuit.
        if passed { replica.circuit.allowProbe() }
        metrics.gauge(
            "upstream_replica_healthy", labels: [("service", service.rawValue), ("replica", replica.address)],
            help: "Whether a replica passes its active health checks: 1 yes, 0 no (two failures in a row)."
        ).set(to: replica.isHealthy ? 1 : 0)
        if wasHealthy != replica.isHealthy {
            logger.warning(
                replica.isHealthy ? "replica healthy again" : "replica unhealthy",
                metadata: ["service.name": .string(service.rawValue), "url.full": .string(replica.address)])
        }
    }
}
