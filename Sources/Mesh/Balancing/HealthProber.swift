import ERPKernel
import Logging
import ServiceLifecycle
import ServiceRuntime

/// Asks every replica of every balanced service for `/health/live` at a fixed interval; a
/// replica that fails twice in a row gets no traffic until it passes again.
public struct HealthProber: Service {
    let clients: [BalancedServiceClient]
    let interval: Duration
    let timeout: Duration
    let logger: Logger

    /// - Parameters:
    ///   - interval: between two rounds of checks (default 2 s).
    ///   - timeout: for one check (default 1 s).
    public init(clients: [BalancedServiceClient], interval: Duration = .seconds(2), timeout: Duration = .seconds(1), logger: Logger) {
        self.clients = clients
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
        if wasHealthy != replica.isHealthy {
            logger.warning(
                replica.isHealthy ? "replica healthy again" : "replica unhealthy",
                metadata: ["service.name": .string(service.rawValue), "url.full": .string(replica.address)])
        }
    }
}
