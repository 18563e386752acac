import ERPKernel
import Logging
import Platform

/// Which shape the process runs in; reported by `/api/v1/system/services`.
public enum RunMode: String, Sendable, Codable {
    /// Every service in this process.
    case embedded
    /// A subset of services per process, the rest reached over HTTP.
    case split
}

/// What the composition root hands a service: its database, the shared ports and the clients
/// of the other services. A service never learns which adapters stand behind them.
public struct ServiceEnvironment: Sendable {
    public let mode: RunMode
    public let version: String
    /// The service's own database; `nil` for services that own none.
    public let database: (any SQLDatabase)?
    public let bus: any EventBus
    public let cache: any Cache
    /// Where rate limits count: in-process, or Redis shared by every process.
    public let rateLimits: any RateLimitStore
    public let metrics: MetricsRegistry
    public let logger: Logger
    /// The client for another service, in-process or remote.
    public let client: @Sendable (ServiceName) -> any ServiceClient

    public init(
        mode: RunMode, version: String, database: (any SQLDatabase)?, bus: any EventBus, cache: any Cache,
        rateLimits: any RateLimitStore = InProcessRateLimitStore(),
        metrics: MetricsRegistry, logger: Logger, client: @escaping @Sendable (ServiceName) -> any ServiceClient
    ) {
        self.mode = mode
        self.version = version
        self.database = database
        self.bus = bus
        self.cache = cache
        self.rateLimits = rateLimits
        self.metrics = metrics
        self.logger = logger
        self.client = client
    }
}
