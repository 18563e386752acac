import ERPKernel
import Logging
import Platform
import ServiceRuntime

/// A `ServiceEnvironment` for router tests: in-process twins of the bus and cache, a fresh
/// metrics registry, and the other services answered by the given clients.
public enum TestEnvironment {
    public static func make(
        mode: RunMode = .embedded, database: (any SQLDatabase)? = nil, bus: any EventBus = RecordingEventBus(),
        clients: [ServiceName: any ServiceClient] = [:]
    ) -> ServiceEnvironment {
        ServiceEnvironment(
            mode: mode, version: "test", database: database, bus: bus, cache: InProcessCache(maximumEntries: 1000),
            metrics: MetricsRegistry(), logger: TestDatabase.logger,
            client: { service in
                clients[service] ?? StubServiceClient(service: service, answer: .failure(.upstreamUnavailable(service.rawValue, detail: "stub")))
            })
    }
}
